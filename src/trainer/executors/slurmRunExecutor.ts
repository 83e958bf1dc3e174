import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from '../../runFolder/atomicFile';
import { readStatusJson } from '../../runFolder/readRunFiles';
import { RUN_FILES } from '../../runFolder/runFolderFormat';
import { createRunFolder } from '../../runFolder/runId';
import { cancelJobs } from '../../slurm/cancel';
import { isFinalJobKind, SlurmJobStates, type SlurmJobState } from '../../slurm/jobStates';
import { SlurmCommandError, slurmCommandRunner, type SlurmCommandRunner } from '../../slurm/slurmCommand';
import type { SlurmExecutorSpec } from '../../slurm/slurmExecutor';
import { submitRuns, SlurmSubmitError } from '../../slurm/submit';
import type { RunExecutor, SettledRun } from './runExecutor';

/** Polls of the jobs' states: soon after a change, then less and less often while nothing changes. */
const FIRST_POLL_MS = 1000;
const LONGEST_POLL_MS = 15_000;
const POLL_BACKOFF = 1.5;
/** How long a job Slurm has forgotten (no accounting, past MinJobAge) may stay unknown before its run counts as over. */
const UNKNOWN_GRACE_MS = 60_000;

export interface SlurmRunExecutorOptions {
  executor: SlurmExecutorSpec;
  /** dist/trainer.js, absolute, as the compute nodes see it (this process's own bundle). */
  trainerBundle: string;
  /**
   * A job array's script and run list go into a new folder under it per submission
   * (`<runs-dir>/.sweeps/<sweepId>`): an earlier array's tasks still pending read their own list.
   */
  sweepDir: string;
  jobName: string;
  run?: SlurmCommandRunner;
}

/** How the runs handed over went to Slurm: the job that was submitted, the jobs adopted, or Slurm's refusal. */
export interface SlurmHandOver {
  /** What sbatch printed (the job, or the array job); absent when nothing was submitted. */
  jobId?: string;
  /** Each run's job (`<array id>_<task>` for an array task): submitted now, or an earlier job still alive. */
  runJobIds: Map<string, string>;
  /** Runs whose earlier job is still pending or running: followed, not submitted again. */
  adopted: Set<string>;
  /** Slurm's own message when it refused the submission; the runs it covered are marked failed. */
  rejected?: string;
}

/** Marks a run that could not be submitted failed, with why, keeping every other field of its status.json. */
async function markRejected(runDir: string, message: string): Promise<void> {
  const file = path.join(runDir, RUN_FILES.status);
  const status = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeJsonAtomic(file, { ...status, state: 'failed', error: message, endedAt: new Date().toISOString() });
}

/** `FAILED (NonZeroExitCode), exit code 1:0`: Slurm's own words for how a job ended. */
function describeJob(state: SlurmJobState): string {
  return `${state.slurmState ?? state.kind}${state.reason ? ` (${state.reason})` : ''}${state.exitCode ? `, exit code ${state.exitCode}` : ''}`;
}

/**
 * Runs prepared run folders as Slurm jobs: several as one job array (`--array=0-N%K`), one as a
 * plain job, each task `kd-uda train --resume <runDir>` on a node that shares the folders. A run
 * whose status.json names an earlier job that is still pending or running is followed, not
 * submitted twice. Once asked how a run stands (`settled`, which only a follow calls), it polls
 * the states of all its jobs in one batched query, backing off while nothing changes; a job that
 * ended (or that Slurm no longer knows, after a grace) without its run recording an end settles
 * that run as failed, in Slurm's words. `stop` cancels the jobs (each trainer checkpoints first).
 */
export class SlurmRunExecutor implements RunExecutor {
  private readonly run: SlurmCommandRunner;
  private readonly states: SlurmJobStates;
  private readonly jobOf = new Map<string, string>();
  private readonly latest = new Map<string, SlurmJobState>();
  private readonly unknownSince = new Map<string, number>();
  private readonly rejectedRuns = new Map<string, string>();
  private polling = false;
  private stopping = false;
  /** Job ids this executor submitted or adopted, to cancel on stop. */
  private readonly jobIds = new Set<string>();

  constructor(private readonly options: SlurmRunExecutorOptions) {
    this.run = options.run ?? slurmCommandRunner();
    this.states = new SlurmJobStates(this.run);
  }

  /** `handOver` without its answer, as RunExecutor asks: a refusal settles the runs it covered. */
  async submit(runDirs: readonly string[]): Promise<void> {
    await this.handOver(runDirs);
  }

  /**
   * Submits the runs (as one job or one job array) but for those whose earlier job still lives;
   * a refusal (unknown partition, bad time, no sbatch) marks every run it covered failed with
   * Slurm's message, and nothing else is submitted.
   */
  async handOver(runDirs: readonly string[]): Promise<SlurmHandOver> {
    const adopted = await this.livingJobs(runDirs);
    for (const [runDir, jobId] of adopted) this.follow(runDir, jobId);
    const toSubmit = runDirs.filter((runDir) => !adopted.has(runDir));
    const handOver: SlurmHandOver = { runJobIds: new Map(adopted), adopted: new Set(adopted.keys()) };
    if (toSubmit.length === 0) return handOver;
    try {
      const submission = await submitRuns({
        executor: this.options.executor,
        runDirs: toSubmit,
        trainerBundle: this.options.trainerBundle,
        jobName: this.options.jobName,
        run: this.run,
        ...(toSubmit.length > 1 ? { batchDir: (await createRunFolder(this.options.sweepDir, 'array')).dir } : {}),
      });
      this.jobIds.add(submission.jobId);
      toSubmit.forEach((runDir, index) => {
        this.follow(runDir, submission.runJobIds[index]);
        handOver.runJobIds.set(runDir, submission.runJobIds[index]);
      });
      return { ...handOver, jobId: submission.jobId };
    } catch (error) {
      if (!(error instanceof SlurmSubmitError || error instanceof SlurmCommandError)) throw error;
      for (const runDir of toSubmit) {
        this.rejectedRuns.set(runDir, error.message);
        await markRejected(runDir, error.message);
      }
      return { ...handOver, rejected: error.message };
    }
  }

  settled(runDir: string): SettledRun | undefined {
    const rejected = this.rejectedRuns.get(runDir);
    if (rejected) return { started: false, reason: rejected };
    const jobId = this.jobOf.get(runDir);
    if (jobId === undefined) return undefined;
    this.startPolling();
    const state = this.latest.get(jobId);
    if (!state) return undefined;
    if (isFinalJobKind(state.kind)) {
      if (this.stopping && state.kind === 'cancelled')
        return { started: false, reason: `the sweep was stopped first: Slurm job ${jobId} ${describeJob(state)}` };
      return { started: true, reason: `Slurm job ${jobId} ended ${describeJob(state)} without the run recording an end` };
    }
    const since = this.unknownSince.get(jobId);
    if (state.kind === 'unknown' && since !== undefined && Date.now() - since > UNKNOWN_GRACE_MS)
      return {
        started: true,
        reason: `Slurm no longer knows job ${jobId} (not in squeue, sacct or scontrol for ${Math.round((Date.now() - since) / 1000)} s) and the run recorded no end`,
      };
    return undefined;
  }

  /** Cancels every job this executor submitted or adopted: scancel's SIGTERM makes each trainer checkpoint and stop. */
  stop(): void {
    this.stopping = true;
    cancelJobs([...this.jobIds], this.run).catch((error: Error) => {
      console.error(`kd-uda sweep: could not cancel the Slurm jobs ${[...this.jobIds].join(' ')}: ${error.message}`);
    });
  }

  private follow(runDir: string, jobId: string): void {
    this.jobOf.set(runDir, jobId);
  }

  /** Runs whose status.json names a job that is still pending, running or requeued, with that job: one query for all. */
  private async livingJobs(runDirs: readonly string[]): Promise<Map<string, string>> {
    const recorded = new Map<string, string>();
    for (const runDir of runDirs) {
      const jobId = (await readStatusJson(runDir).catch(() => undefined))?.slurm?.jobId;
      if (jobId) recorded.set(runDir, jobId);
    }
    if (recorded.size === 0) return recorded;
    const states = await this.states.query([...recorded.values()]);
    const living = new Map<string, string>();
    for (const [runDir, jobId] of recorded) {
      const kind = states.get(jobId)?.kind;
      if (kind !== undefined && kind !== 'unknown' && !isFinalJobKind(kind)) {
        living.set(runDir, jobId);
        this.jobIds.add(jobId);
      }
    }
    return living;
  }

  /** One batched query per poll for every job not yet over; sooner after a change, later while nothing changes. */
  private startPolling(): void {
    if (this.polling) return;
    this.polling = true;
    let delay = FIRST_POLL_MS;
    const poll = async () => {
      const open = [...new Set(this.jobOf.values())].filter((jobId) => !isFinalJobKind(this.latest.get(jobId)?.kind ?? 'pending'));
      if (open.length === 0) {
        this.polling = false;
        return;
      }
      let changed = false;
      try {
        const answer = await this.states.query(open);
        for (const [jobId, state] of answer) {
          const before = this.latest.get(jobId);
          if (before?.kind !== state.kind || before.reason !== state.reason) changed = true;
          this.latest.set(jobId, state);
          if (state.kind !== 'unknown') this.unknownSince.delete(jobId);
          else if (!this.unknownSince.has(jobId)) this.unknownSince.set(jobId, Date.now());
        }
      } catch (error) {
        // No controller to ask: nothing is known, which is not the jobs being gone; ask again later.
        if (!(error instanceof SlurmCommandError)) throw error;
      }
      delay = changed ? FIRST_POLL_MS : Math.min(LONGEST_POLL_MS, delay * POLL_BACKOFF);
      // Unref'd: a follow that has ended does not keep the process alive for the next poll.
      setTimeout(() => void poll(), delay).unref();
    };
    void poll();
  }
}
