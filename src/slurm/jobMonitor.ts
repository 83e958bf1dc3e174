import type { SlurmJobState } from './jobStates';

/** Asks the cluster about every given job in one batched query. */
export type QuerySlurmJobs = (jobIds: readonly string[]) => Promise<Map<string, SlurmJobState>>;

/** The first poll comes soon after a job is watched; a quiet queue is asked less and less often. */
const FIRST_POLL_MS = 1000;
const MAX_POLL_MS = 30_000;

export interface Disposable {
  dispose(): void;
}

type ChangeListener = (changes: ReadonlyMap<string, SlurmJobState>) => void;

/**
 * The one poller of Slurm job states for a window (or a terminal sweep): every job it cares about
 * (those it submitted, and those of runs listed as queued or running on a cluster) is asked about in
 * one batched query per poll, whatever their number; the interval doubles while nothing changes, up
 * to MAX_POLL_MS, and drops back when something does or a job is added. Nothing is polled while no
 * job is watched. Pure Node: the extension host and the benches use it alike.
 */
export class SlurmJobMonitor implements Disposable {
  private readonly watchers = new Map<string, number>();
  private readonly reports = new Map<string, SlurmJobState>();
  private readonly listeners = new Set<ChangeListener>();
  private delay = FIRST_POLL_MS;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private polling = false;
  private disposed = false;
  /** Batched queries made so far (each may run a few Slurm commands): what bench/slurm counts. */
  queries = 0;

  constructor(private readonly query: QuerySlurmJobs) {}

  /** Calls `listener` with the jobs whose report changed in a poll, until disposed. */
  onDidChange(listener: ChangeListener): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Watches a job until the returned disposable is disposed (reference-counted per job). */
  watch(jobId: string): Disposable {
    this.watchers.set(jobId, (this.watchers.get(jobId) ?? 0) + 1);
    this.delay = FIRST_POLL_MS;
    this.schedule();
    let released = false;
    return {
      dispose: () => {
        if (released) return;
        released = true;
        const count = (this.watchers.get(jobId) ?? 1) - 1;
        if (count > 0) this.watchers.set(jobId, count);
        else this.watchers.delete(jobId);
      },
    };
  }

  /** The last report on a job, if it was polled. */
  report(jobId: string): SlurmJobState | undefined {
    return this.reports.get(jobId);
  }

  /** Polls now (a command just changed a job: submitted, cancelled). */
  pollSoon(): void {
    this.delay = FIRST_POLL_MS;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule(0);
  }

  private schedule(after = this.delay): void {
    if (this.disposed || this.timer !== undefined || this.polling || this.watchers.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, after);
  }

  private async poll(): Promise<void> {
    const jobIds = [...this.watchers.keys()];
    if (jobIds.length === 0) return;
    this.polling = true;
    const changes = new Map<string, SlurmJobState>();
    try {
      this.queries++;
      const reports = await this.query(jobIds);
      for (const [jobId, report] of reports) {
        const before = this.reports.get(jobId);
        if (before && JSON.stringify(before) === JSON.stringify(report)) continue;
        this.reports.set(jobId, report);
        changes.set(jobId, report);
      }
    } catch (error) {
      // A failed query (sbatch tools gone, controller down) is reported once per job as unknown.
      const message = error instanceof Error ? error.message : String(error);
      for (const jobId of jobIds) {
        const report: SlurmJobState = { kind: 'unknown', reason: message, source: 'none' };
        if (JSON.stringify(this.reports.get(jobId)) !== JSON.stringify(report)) changes.set(jobId, report);
        this.reports.set(jobId, report);
      }
    } finally {
      this.polling = false;
    }
    if (this.disposed) return;
    this.delay = changes.size ? FIRST_POLL_MS : Math.min(MAX_POLL_MS, this.delay * 2);
    if (changes.size) for (const listener of [...this.listeners]) listener(changes);
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.listeners.clear();
  }
}
