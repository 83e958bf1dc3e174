import { appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeJsonAtomic } from '../../runFolder/atomicFile';
import { EventLogWriter } from '../../runFolder/eventLog';
import type { NewRunEvent } from '../../runFolder/runEvents';
import { RUN_FILES, RUN_FORMAT_VERSION, type RunState } from '../../runFolder/runFolderFormat';
import type { RunStatus } from '../../runFolder/runStatus';

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

  /** `previous`: the status a resumed run had, whose start time the run keeps. */
  static async open(dir: string, echo: (line: string) => void, previous?: RunStatus): Promise<RunWriter> {
    const status: RunStatus = { version: RUN_FORMAT_VERSION, state: 'queued', ...(previous?.startedAt ? { startedAt: previous.startedAt } : {}) };
    return new RunWriter(dir, await EventLogWriter.open(path.join(dir, RUN_FILES.events)), echo, status);
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
    };
    await writeJsonAtomic(path.join(this.dir, RUN_FILES.status), this.status);
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
