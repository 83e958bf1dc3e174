import * as vscode from 'vscode';
import path from 'node:path';
import { createRunFolder } from '../../runFolder/runId';
import { cancelJobs } from '../../slurm/cancel';
import { SlurmJobStates } from '../../slurm/jobStates';
import { slurmCommandRunner } from '../../slurm/slurmCommand';
import type { SlurmExecutorSpec } from '../../slurm/slurmExecutor';
import { submitRuns, type Submission } from '../../slurm/submit';
import { UntrustedWorkspaceError } from '../processes/trainerProcess';
import { reportWhenDone, type ActiveRun, type ActiveRuns } from '../runsView/activeRuns';
import { SlurmJobExecution } from './slurmJobExecution';
import { SlurmJobMonitor } from '../../slurm/jobMonitor';

export interface SlurmRunRequest {
  runDir: string;
  label: string;
}

/** The log of the job executing a run: `slurm-<job>.log` in its run folder (an array task's id is `<array>_<task>`). */
export function slurmLogFile(runDir: string, jobId: string): string {
  return path.join(runDir, `slurm-${jobId}.log`);
}

/**
 * The window's Slurm side: submitting prepared runs (one job, or a job array for several), following
 * each job as an active run, cancelling, and the one poller of job states that the Runs view reads
 * too. Slurm's commands run here, in the extension host: through Remote-SSH on a login node they are
 * the cluster's own.
 */
export class SlurmRuns implements vscode.Disposable {
  private readonly states = new SlurmJobStates(slurmCommandRunner());
  readonly monitor = new SlurmJobMonitor((jobIds) => this.states.query(jobIds));

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly activeRuns: ActiveRuns,
  ) {}

  /**
   * Submits the runs as one job, or one job array whose script and run list go to a new folder
   * under `sweepDir` (an earlier array may still be pending on its own list); throws with Slurm's
   * message (the runs then say failed) when it refuses.
   */
  async submit(runs: readonly SlurmRunRequest[], executor: SlurmExecutorSpec, sweepDir?: string): Promise<Submission> {
    if (!vscode.workspace.isTrusted) throw new UntrustedWorkspaceError('Submitting a Slurm job');
    const batchDir = runs.length > 1 && sweepDir ? (await createRunFolder(sweepDir, 'array')).dir : undefined;
    const submission = await submitRuns({
      executor,
      runDirs: runs.map((run) => run.runDir),
      trainerBundle: path.join(this.extensionUri.fsPath, 'dist', 'trainer.js'),
      ...(batchDir ? { batchDir } : {}),
    });
    runs.forEach((run, index) => this.follow(run.label, run.runDir, submission.runJobIds[index], { notify: runs.length === 1 }));
    this.monitor.pollSoon();
    return submission;
  }

  /** Follows a submitted job as an active run of this window: its progress, its log, its end (a notification unless it is one of a sweep's). */
  follow(label: string, runDir: string, jobId: string, options: { notify: boolean }): ActiveRun {
    const execution = new SlurmJobExecution(jobId, runDir, slurmLogFile(runDir, jobId), this.monitor, (id) => this.cancel(id));
    const run = this.activeRuns.add(label, execution, runDir);
    if (options.notify) reportWhenDone(run);
    return run;
  }

  /** scancel: the trainer gets SIGTERM, checkpoints and records the run stopped. */
  async cancel(jobId: string): Promise<void> {
    await cancelJobs([jobId]);
    this.monitor.pollSoon();
  }

  dispose(): void {
    this.monitor.dispose();
  }
}
