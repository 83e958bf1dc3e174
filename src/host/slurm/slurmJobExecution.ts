import * as vscode from 'vscode';
import { watch, type FSWatcher } from 'chokidar';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { readRunStatus } from '../../runFolder/listRuns';
import { isFinalJobKind, type SlurmJobState } from '../../slurm/jobStates';
import type { ExecutionEnd, RunExecution } from '../processes/runExecution';
import type { SlurmJobMonitor } from '../../slurm/jobMonitor';

const TAIL_LINES = 40;
/**
 * How long a job Slurm no longer knows (no squeue entry, no accounting, past MinJobAge) may stay
 * unknown before its execution counts as over: never "running" for a job that is gone.
 */
const UNKNOWN_GRACE_MS = 60_000;

/**
 * A run executing as a Slurm job: its output is the job's log in the run folder, followed as it
 * grows; it is over when the cluster reports the job in a final state (a requeued job is not over);
 * stop() cancels the job, whose trainer gets SIGTERM and checkpoints. Its end code is the run
 * folder's word: 0 when the trainer recorded done or stopped, else 1 with Slurm's state.
 */
export class SlurmJobExecution implements RunExecution {
  private readonly lines = new vscode.EventEmitter<string>();
  private readonly messages = new vscode.EventEmitter<unknown>();
  private readonly tail: string[] = [];
  private readonly watcher: FSWatcher;
  private readonly watching: vscode.Disposable;
  private readonly monitoring: vscode.Disposable;
  private logOffset = 0;
  private pending = '';
  private reading: Promise<void> = Promise.resolve();
  private finished: ((end: ExecutionEnd) => void) | undefined;
  private unknownTimer: ReturnType<typeof setTimeout> | undefined;
  readonly onLine = this.lines.event;
  readonly onMessage = this.messages.event;
  readonly exit: Promise<ExecutionEnd>;
  readonly pid = undefined;

  constructor(
    readonly jobId: string,
    private readonly runDir: string,
    private readonly logFile: string,
    private readonly monitor: SlurmJobMonitor,
    private readonly cancel: (jobId: string) => Promise<void>,
  ) {
    this.exit = new Promise((resolve) => (this.finished = resolve));
    this.watcher = watch(path.dirname(logFile), { ignoreInitial: false, depth: 0 });
    this.watcher.on('all', (_event, changed) => {
      if (changed === logFile) this.readLog();
    });
    this.watching = monitor.watch(jobId);
    this.monitoring = monitor.onDidChange((changes) => {
      const report = changes.get(jobId);
      if (report && isFinalJobKind(report.kind)) void this.end(report);
      else if (report?.kind === 'unknown') this.unknownTimer ??= setTimeout(() => this.endIfStillUnknown(), UNKNOWN_GRACE_MS);
      else if (report) {
        clearTimeout(this.unknownTimer);
        this.unknownTimer = undefined;
      }
    });
  }

  get where(): string {
    return `Slurm job ${this.jobId}`;
  }

  private readLog(): void {
    this.reading = this.reading.then(async () => {
      const handle = await open(this.logFile, 'r').catch(() => undefined);
      if (!handle) return;
      try {
        const { size } = await handle.stat();
        if (size < this.logOffset) this.logOffset = 0;
        const buffer = Buffer.alloc(size - this.logOffset);
        await handle.read(buffer, 0, buffer.length, this.logOffset);
        this.logOffset = size;
        const parts = (this.pending + buffer.toString('utf8')).split(/\r?\n|\r/);
        this.pending = parts.pop() ?? '';
        for (const line of parts) {
          this.tail.push(line);
          if (this.tail.length > TAIL_LINES) this.tail.shift();
          this.lines.fire(line);
        }
      } finally {
        await handle.close();
      }
    });
  }

  private endIfStillUnknown(): void {
    const report = this.monitor.report(this.jobId);
    if (report?.kind === 'unknown')
      void this.end({ ...report, reason: report.reason ?? `Slurm has not known job ${this.jobId} for ${UNKNOWN_GRACE_MS / 1000} s` });
  }

  private async end(report: SlurmJobState): Promise<void> {
    if (!this.finished) return;
    const resolve = this.finished;
    this.finished = undefined;
    this.readLog();
    await this.reading;
    const status = await readRunStatus(this.runDir);
    const recorded = status.state === 'done' || status.state === 'stopped';
    const reason = `Slurm says ${report.slurmState ?? report.kind}${report.reason ? ` (${report.reason})` : ''}`;
    resolve({ code: recorded ? 0 : 1, signal: null, tail: [...this.tail], ...(recorded ? {} : { reason }) });
  }

  async stop(): Promise<ExecutionEnd> {
    if (this.finished) {
      await this.cancel(this.jobId);
      this.monitor.pollSoon();
    }
    return this.exit;
  }

  dispose(): void {
    clearTimeout(this.unknownTimer);
    this.watching.dispose();
    this.monitoring.dispose();
    void this.watcher.close();
    this.lines.dispose();
    this.messages.dispose();
  }
}
