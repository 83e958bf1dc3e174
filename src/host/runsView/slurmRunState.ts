import type { RunListing } from '../../runFolder/listRuns';
import type { RunState } from '../../runFolder/runFolderFormat';
import { isFinalJobKind, type SlurmJobState } from '../../slurm/jobStates';

export interface ShownRunState {
  state: RunState | undefined;
  /** The Runs view's description of the run. */
  description: string;
  error?: string;
}

/**
 * A run as the Runs view shows it, its folder's state joined with its Slurm job's: Slurm's words
 * as they are (pending with its reason, running on its node) while the run is queued or running;
 * and a run whose folder still says queued or running while its job is over is failed, with the
 * job's final state: a job that is gone is never shown running.
 */
export function shownRunState(run: RunListing, job: SlurmJobState | undefined): ShownRunState {
  const plain: ShownRunState = {
    state: run.state,
    description: run.state === 'failed' && run.error ? `failed: ${run.error}` : (run.state ?? 'unreadable'),
    ...(run.error ? { error: run.error } : {}),
  };
  if (!run.slurm || (run.state !== 'queued' && run.state !== 'running')) return plain;
  const name = `Slurm job ${run.slurm.jobId}`;
  const requeued = run.slurm.requeues > 0 ? `, requeued ${run.slurm.requeues}x` : '';
  if (!job) return { state: run.state, description: `${run.state} · ${name}${requeued}` };
  const words = `${job.slurmState ?? job.kind}${job.reason ? ` (${job.reason})` : ''}`;
  if (isFinalJobKind(job.kind)) {
    const error = `${name} ended ${words} ${run.state === 'queued' ? 'before its trainer started' : 'without its trainer recording an end'}`;
    return { state: 'failed', description: `failed: ${error}`, error };
  }
  if (job.kind === 'unknown') return { state: run.state, description: `${run.state} · ${name}: Slurm does not know it${job.reason ? ` (${job.reason})` : ''}` };
  const where = job.node ? ` on ${job.node}` : '';
  return { state: run.state, description: `${run.state} · ${name} ${words}${where}${requeued}` };
}
