/**
 * Stop Run for a Slurm job: `scancel`, which sends SIGTERM to the batch step first (SIGKILL only
 * KillWait seconds later). The batch step is the trainer itself (the script `exec`s it), so it
 * finishes its step, writes a checkpoint and marks the run stopped, as a local stop does; the job
 * ends CANCELLED.
 */
import { SlurmCommandError, slurmCommandRunner, slurmMessage, type SlurmCommandRunner } from './slurmCommand';

/** scancel's words for a job that has already ended: nothing left to cancel. */
const ALREADY_ENDED = /already completing or completed|Invalid job id specified/i;

/** Cancels the jobs (`123`, `123_4` for one array task, `123` for a whole array) in one scancel. */
export async function cancelJobs(jobIds: readonly string[], run: SlurmCommandRunner = slurmCommandRunner()): Promise<void> {
  if (jobIds.length === 0) return;
  const result = await run('scancel', [...jobIds]);
  if (result.code === 0) return;
  const failures = slurmMessage(result)
    .split('; ')
    .filter((line) => !ALREADY_ENDED.test(line));
  if (failures.length) throw new SlurmCommandError(`scancel ${jobIds.join(' ')} failed: ${failures.join('; ')}`, 'scancel');
}
