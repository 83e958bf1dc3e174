import * as vscode from 'vscode';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LAUNCHED_FROM_VSCODE_ENV } from '../../util/launchedFromVsCode';
import type { ExecutionEnd, RunExecution } from './runExecution';

/** How long a stopped trainer gets to checkpoint and exit before it is killed. */
export const STOP_TIMEOUT_MS = 15_000;

/** A trainer's exit: its code or signal and the last lines it printed (stdout and stderr). */
export type TrainerExit = ExecutionEnd;

/** Thrown instead of spawning in an untrusted workspace. */
export class UntrustedWorkspaceError extends Error {
  constructor(what: string) {
    super(`${what} needs a trusted workspace: KD-UDA Lab never starts processes in Restricted Mode. Trust the workspace to continue.`);
    this.name = 'UntrustedWorkspaceError';
  }
}

/**
 * The Node executable for the trainer: the `kdUda.nodePath` setting when the workspace is trusted,
 * else the extension host's own runtime (Electron in desktop VS Code, hence ELECTRON_RUN_AS_NODE).
 */
function nodeRuntime(): { command: string; env: NodeJS.ProcessEnv } {
  const configured = vscode.workspace.getConfiguration('kdUda').get<string>('nodePath')?.trim();
  if (configured && vscode.workspace.isTrusted) return { command: configured, env: {} };
  return { command: process.execPath, env: { ELECTRON_RUN_AS_NODE: '1' } };
}

/**
 * One trainer child process: its output goes line by line to listeners (for people to read), what
 * it tells its launcher over the IPC channel to message listeners, `stop()` asks it to finish
 * (SIGTERM) and kills it if it does not within STOP_TIMEOUT_MS, and `dispose()` makes sure nothing
 * outlives the extension.
 */
export class TrainerProcess implements RunExecution {
  private readonly child: ChildProcess;
  private readonly lines = new vscode.EventEmitter<string>();
  private readonly messages = new vscode.EventEmitter<unknown>();
  private readonly exited = new vscode.EventEmitter<TrainerExit>();
  private readonly tail: string[] = [];
  private killTimer: ReturnType<typeof setTimeout> | undefined;
  private exitInfo: TrainerExit | undefined;
  /** Every line the trainer prints. */
  readonly onLine = this.lines.event;
  /** Every message the trainer sends over the IPC channel, unparsed (src/runFolder/runFolderAnnouncement.ts). */
  readonly onMessage = this.messages.event;
  /** Fires once, when the process has exited. */
  readonly onExit = this.exited.event;
  /** Resolves with the exit, whenever it happens. */
  readonly exit: Promise<TrainerExit>;

  static start(extensionUri: vscode.Uri, args: readonly string[], options: { cwd?: string; what: string }): TrainerProcess {
    if (!vscode.workspace.isTrusted) throw new UntrustedWorkspaceError(options.what);
    const entry = path.join(extensionUri.fsPath, 'dist', 'trainer.js');
    if (!existsSync(entry)) throw new Error(`The trainer bundle ${entry} is missing: rebuild the extension (npm run build).`);
    return new TrainerProcess(entry, args, options.cwd);
  }

  private constructor(entry: string, args: readonly string[], cwd: string | undefined) {
    const runtime = nodeRuntime();
    // The trainer's hints are read here, in VS Code: it words them for the palette, not a terminal.
    const env = { ...process.env, ...runtime.env, [LAUNCHED_FROM_VSCODE_ENV]: '1' };
    this.child = spawn(runtime.command, [entry, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child.on('message', (message) => this.messages.fire(message));
    this.exit = new Promise((resolve) => {
      this.child.once('error', (error) =>
        this.finish({ code: null, signal: null, tail: [...this.tail, `could not start ${runtime.command}: ${error.message}`] }, resolve),
      );
      this.child.once('close', (code, signal) => this.finish({ code, signal, tail: [...this.tail] }, resolve));
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let pending = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (pending + chunk).split(/\r?\n|\r/);
        pending = parts.pop() ?? '';
        for (const line of parts) this.emitLine(line);
      });
      stream?.on('end', () => {
        if (pending) this.emitLine(pending);
        pending = '';
      });
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get where(): string {
    return `pid ${this.child.pid ?? '?'}`;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  private emitLine(line: string): void {
    this.tail.push(line);
    if (this.tail.length > 40) this.tail.shift();
    this.lines.fire(line);
  }

  private finish(exit: TrainerExit, resolve: (exit: TrainerExit) => void): void {
    if (this.exitInfo) return;
    this.exitInfo = exit;
    clearTimeout(this.killTimer);
    resolve(exit);
    this.exited.fire(exit);
  }

  /** Asks the trainer to finish its step and exit; kills it if it has not after the timeout. */
  stop(timeoutMs = STOP_TIMEOUT_MS): Promise<TrainerExit> {
    if (this.running) {
      this.child.kill('SIGTERM');
      this.killTimer ??= setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    }
    return this.exit;
  }

  dispose(): void {
    if (this.running) this.child.kill('SIGKILL');
    this.lines.dispose();
    this.messages.dispose();
    this.exited.dispose();
  }
}
