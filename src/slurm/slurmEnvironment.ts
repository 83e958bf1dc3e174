/**
 * What a process learns from Slurm's environment about the job it runs in: the id by which the
 * job is requeued, cancelled and followed (`<array id>_<task>` for an array task, as squeue shows it).
 */
export function slurmJobOfProcess(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { SLURM_JOB_ID, SLURM_ARRAY_JOB_ID, SLURM_ARRAY_TASK_ID } = env;
  if (SLURM_ARRAY_JOB_ID && SLURM_ARRAY_TASK_ID) return `${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}`;
  return SLURM_JOB_ID || undefined;
}
