import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from '../../runFolder/atomicFile';
import { readStatusJson } from '../../runFolder/readRunFiles';
import { RUN_FILES } from '../../runFolder/runFolderFormat';
import { slurmCommandRunner, slurmMessage, type SlurmCommandRunner } from '../../slurm/slurmCommand';

/**
 * Requeues the Slurm job a run executes in, once the run has checkpointed and marked itself
 * `queued` before the time limit: Slurm ends this job (SIGTERM, which the caller must no longer
 * take as a stop) and starts it again later, and the new start continues from the checkpoint.
 * When Slurm refuses, the run is `stopped` with Slurm's message: it can be resumed by hand.
 * Returns whether the job was requeued.
 */
export async function requeueSlurmJob(runDir: string, jobId: string, run: SlurmCommandRunner = slurmCommandRunner()): Promise<boolean> {
  const result = await run('scontrol', ['requeue', jobId]).catch((error: Error) => ({ code: 1, stdout: '', stderr: error.message }));
  // Killed by the job's own end (code null): the controller had taken the requeue, which is what ends the job.
  if (result.code === 0 || result.code === null) return true;
  const error = `scontrol requeue ${jobId} failed: ${slurmMessage(result)}. The checkpoint is kept: resume the run to continue it.`;
  const status = await readStatusJson(runDir);
  await writeJsonAtomic(path.join(runDir, RUN_FILES.status), { ...status, state: 'stopped', endedAt: new Date().toISOString(), error });
  await appendFile(path.join(runDir, RUN_FILES.log), `${new Date().toISOString()} ${error}\n`);
  return false;
}
