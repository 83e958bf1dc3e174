import { spawn, type ChildProcess } from 'node:child_process';
import type { RunExecutor, SettledRun } from './runExecutor';

/** How much of a trainer's stderr is kept, to say why it exited without recording an end. */
const STDERR_TAIL = 2000;

export interface LocalExecutorOptions {
  /** At most this many trainers at once. */
  parallel: number;
  /** The trainer's bundle (this process's own, process.argv[1]) and the node that runs it. */
  trainer: string;
  nodePath: string;
}

/**
 * Runs prepared run folders as child processes of this machine, at most `parallel` at once, in
 * the order submitted. Each trainer gets its own process group, so a Ctrl-C in the terminal
 * reaches only the sweep, which passes one SIGTERM on (a second signal to a trainer means exit
 * at once, not at the end of the step).
 */
export class LocalExecutor implements RunExecutor {
  private readonly waiting: string[] = [];
  private readonly running = new Map<string, ChildProcess>();
  private readonly ended = new Map<string, SettledRun>();
  private stopping = false;

  constructor(private readonly options: LocalExecutorOptions) {}

  submit(runDirs: readonly string[]): Promise<void> {
    this.waiting.push(...runDirs);
    this.startMore();
    return Promise.resolve();
  }

  settled(runDir: string): SettledRun | undefined {
    const ended = this.ended.get(runDir);
    if (ended) return ended;
    if (this.stopping && this.waiting.includes(runDir)) return { started: false, reason: 'the sweep was stopped first' };
    return undefined;
  }

  stop(): void {
    this.stopping = true;
    for (const child of this.running.values()) child.kill('SIGTERM');
  }

  private startMore(): void {
    while (!this.stopping && this.running.size < this.options.parallel && this.waiting.length > 0) this.start(this.waiting.shift()!);
  }

  private start(runDir: string): void {
    // stdout is the run's log, which trainer.log holds; stderr says why a trainer refused or crashed.
    const child = spawn(this.options.nodePath, [this.options.trainer, 'train', '--resume', runDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    this.running.set(runDir, child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL);
    });
    const end = (how: string, beforeItsHandlers = false) => {
      if (!this.running.has(runDir)) return;
      this.running.delete(runDir);
      const said = stderr.trim();
      // A stop that reaches a trainer before it can take signals ends it before it ran: its folder is as it was.
      this.ended.set(
        runDir,
        beforeItsHandlers
          ? { started: false, reason: 'the sweep was stopped as its trainer began' }
          : { started: true, reason: `the trainer ${how}${said ? `: ${said}` : ''}` },
      );
      this.startMore();
    };
    child.on('error', (error) => end(`could not start (${error.message})`));
    child.on('close', (code, signal) => end(signal ? `was killed by ${signal}` : `exited with code ${code}`, this.stopping && signal === 'SIGTERM'));
  }
}
