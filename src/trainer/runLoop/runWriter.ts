import { appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeJsonAtomic } from '../../runFolder/atomicFile';
import { EventLogWriter } from '../../runFolder/eventLog';
import type { NewRunEvent } from '../../runFolder/runEvents';
import { RUN_FILES, RUN_FORMAT_VERSION, type RunState } from '../../runFolder/runFolderFormat';
import type { RunStatus, SlurmJobRecord } from '../../runFolder/runStatus';

/**
 * The trainer's side of the run folder: status.json replaced atomically, events appended and
 * flushed line by line, and the human log, which also goes to `echo` (the terminal).
 */
export class RunWriter {
  private constructor(
    readonly dir: string,
    private readonly events: EventLogWriter,
    private readonly echo: (line: string) => void,
    private status: RunStatus,
  ) {}

  /**
   * `previous`: the status a resumed run had, whose start time and Slurm job the run keeps.
   * `slurmJob`: the Slurm job this process runs in, if any: recorded, with the requeues of that
   * same job counted on (a new job, a resubmission, starts at 0).
   */
  static async open(dir: string, echo: (line: string) => void, previous?: RunStatus, slurmJob?: string): Promise<RunWriter> {
    const slurm: SlurmJobRecord | undefined = slurmJob
      ? { jobId: slurmJob, requeues: previous?.slurm?.jobId === slurmJob ? previous.slurm.requeues : 0 }
      : previous?.slurm;
    const status: RunStatus = {
      version: RUN_FORMAT_VERSION,
      state: 'queued',
      ...(previous?.startedAt ? { startedAt: previous.startedAt } : {}),
      ...(slurm ? { slurm } : {}),
    };
    return new RunWriter(dir, await EventLogWriter.open(path.join(dir, RUN_FILES.events)), echo, status);
  }

  /** The run's Slurm job, if a Slurm executor runs it. */
  get slurm(): SlurmJobRecord | undefined {
    return this.status.slurm;
  }

  async setState(state: RunState, error?: string): Promise<void> {
    const now = new Date().toISOString();
    const ended = state === 'stopped' || state === 'failed' || state === 'done';
    this.status = {
      version: RUN_FORMAT_VERSION,
      state,
      pid: process.pid,
      host: os.hostname(),
      // A run starts once; a resume keeps that time and records its own beside it.
      startedAt: this.status.startedAt ?? now,
      ...(state === 'running' && this.status.startedAt ? { resumedAt: now } : this.status.resumedAt ? { resumedAt: this.status.resumedAt } : {}),
      ...(ended ? { endedAt: now } : {}),
      ...(error ? { error } : {}),
      ...(this.status.slurm ? { slurm: this.status.slurm } : {}),
    };
    await writeJsonAtomic(path.join(this.dir, RUN_FILES.status), this.status);
  }

  /**
   * The run checkpointed before its Slurm job's time limit and its job is about to be requeued:
   * `queued` again (it will continue from the checkpoint), one more requeue counted.
   */
  async setRequeued(): Promise<void> {
    const slurm = this.status.slurm;
    if (!slurm) throw new Error('only a run in a Slurm job can be requeued');
    this.status = { ...this.status, slurm: { ...slurm, requeues: slurm.requeues + 1 } };
    await this.setState('queued');
  }

  event(event: NewRunEvent): Promise<void> {
    return this.events.append(event);
  }

  /** `line` to the terminal and the log; `detail` (a stack) to the log alone, for whoever debugs it. */
  async log(line: string, detail?: string): Promise<void> {
    this.echo(line);
    await appendFile(path.join(this.dir, RUN_FILES.log), `${new Date().toISOString()} ${line}\n${detail ? `${detail}\n` : ''}`);
  }

  close(): Promise<void> {
    return this.events.close();
  }
}
