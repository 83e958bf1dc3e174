import * as vscode from 'vscode';
import path from 'node:path';
import { readRunStatus } from '../../runFolder/listRuns';
import type { TrainerExit, TrainerProcess } from '../processes/trainerProcess';
import { CommandId } from '../commands/commandId';

export interface ActiveRun {
  /** What the user calls the run: its experiment's name, or the run id when resumed. */
  label: string;
  trainer: TrainerProcess;
  output: vscode.OutputChannel;
  /** Known once the trainer has printed it (its first line). */
  runDir?: string;
  /** The latest progress line (`epoch 2/20: …`). */
  progress?: string;
}

const RUN_FOLDER_LINE = /^run folder: (.+)$/;
const EPOCH_LINE = /^epoch \d+\/\d+/;

/**
 * The trainer processes this window started, with a status-bar item for the newest. A run's
 * output channel stays after it exits, so its log can still be read.
 */
export interface QueuedRun {
  label: string;
  /** Starts the trainer when a slot frees up; throws when it cannot (e.g. trust was revoked). */
  start: () => TrainerProcess;
  /** Called with the run once started, or the error. */
  started: (run: ActiveRun | Error) => void;
}

export class ActiveRuns implements vscode.Disposable {
  private readonly runs = new Set<ActiveRun>();
  private readonly queue: QueuedRun[] = [];
  private readonly statusBar = vscode.window.createStatusBarItem('kdUda.activeRun', vscode.StatusBarAlignment.Left, 10);
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a run starts, reports progress or exits. */
  readonly onDidChange = this.changed.event;

  constructor() {
    this.statusBar.name = 'KD-UDA run';
    this.statusBar.command = CommandId.StopRun;
  }

  list(): ActiveRun[] {
    return [...this.runs];
  }

  queued(): readonly QueuedRun[] {
    return this.queue;
  }

  private maxConcurrent(): number {
    return Math.max(1, vscode.workspace.getConfiguration('kdUda').get<number>('maxConcurrentRuns') ?? 1);
  }

  /**
   * Starts the run now if fewer than `kdUda.maxConcurrentRuns` are running, else queues it; returns
   * its place in the queue (0 = started).
   */
  startOrQueue(request: QueuedRun): number {
    if (this.runs.size < this.maxConcurrent()) {
      this.launch(request);
      return 0;
    }
    this.queue.push(request);
    this.update();
    return this.queue.length;
  }

  private launch(request: QueuedRun): void {
    let trainer: TrainerProcess;
    try {
      trainer = request.start();
    } catch (error) {
      request.started(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    request.started(this.add(request.label, trainer));
  }

  add(label: string, trainer: TrainerProcess): ActiveRun {
    const output = vscode.window.createOutputChannel(`KD-UDA run: ${label}`);
    const run: ActiveRun = { label, trainer, output };
    this.runs.add(run);
    trainer.onLine((line) => {
      output.appendLine(line);
      const folder = RUN_FOLDER_LINE.exec(line);
      if (folder) run.runDir = folder[1].trim();
      if (EPOCH_LINE.test(line)) run.progress = line;
      if (folder || EPOCH_LINE.test(line)) this.update();
    });
    trainer.onExit((exit: TrainerExit) => {
      output.appendLine(`[trainer exited: ${exit.signal ?? `code ${exit.code}`}]`);
      this.runs.delete(run);
      const next = this.queue.shift();
      if (next) this.launch(next);
      this.update();
    });
    this.update();
    return run;
  }

  private update(): void {
    const newest = [...this.runs].at(-1);
    if (!newest) {
      this.statusBar.hide();
    } else {
      const others = this.runs.size > 1 ? ` (+${this.runs.size - 1})` : '';
      const waiting = this.queue.length ? `, ${this.queue.length} queued` : '';
      this.statusBar.text = `$(sync~spin) ${newest.label}: ${newest.progress?.split(':')[0] ?? 'starting'}${others}${waiting}`;
      this.statusBar.tooltip = `${newest.progress ?? 'Starting the trainer…'}\nClick to stop a run.`;
      this.statusBar.show();
    }
    this.changed.fire();
  }

  dispose(): void {
    // Nothing may outlive the window: trainers get SIGKILL (SIGTERM needs time we do not have here).
    for (const run of this.runs) {
      run.trainer.dispose();
      run.output.dispose();
    }
    this.runs.clear();
    this.queue.length = 0;
    this.statusBar.dispose();
    this.changed.dispose();
  }
}

/**
 * While the run trains: a notification with its latest epoch line and a Cancel button that stops
 * it cleanly (SIGTERM, checkpoint). When it ends: a note, or an error with its last lines.
 */
export function reportWhenDone(run: ActiveRun): void {
  void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `KD-UDA: ${run.label}`, cancellable: true }, (progress, cancellation) => {
    cancellation.onCancellationRequested(() => void run.trainer.stop());
    const lines = run.trainer.onLine((line) => {
      if (EPOCH_LINE.test(line)) progress.report({ message: line.slice(0, 140) });
    });
    return run.trainer.exit.finally(() => lines.dispose());
  });
  void run.trainer.exit.then((exit) => {
    const name = `${run.label}${run.runDir ? ` (${path.basename(run.runDir)})` : ''}`;
    if (exit.code === 0) {
      // Exit 0 is done or stopped: the run folder says which.
      void (run.runDir ? readRunStatus(run.runDir) : Promise.resolve(undefined)).then((status) => {
        const ending = status?.state === 'done' ? 'is done' : status?.state === 'stopped' ? 'stopped; Resume Run continues it' : 'ended';
        return vscode.window.showInformationMessage(`KD-UDA: run ${name} ${ending}.`, 'Open Results');
      }).then((choice) => {
        if (choice && run.runDir) void vscode.commands.executeCommand(CommandId.OpenResults, run.runDir);
      });
      return;
    }
    void failureMessage(name, run.runDir, exit).then((message) =>
      vscode.window.showErrorMessage(message, 'Show Log').then((choice) => {
        if (choice) run.output.show();
      }),
    );
  });
}

/**
 * What a failed run says to the user: the reason the trainer recorded (or that its process is
 * gone), then its last lines without stack frames, which say where and not what.
 */
async function failureMessage(name: string, runDir: string | undefined, exit: TrainerExit): Promise<string> {
  const status = runDir ? await readRunStatus(runDir) : undefined;
  const reason = status?.state === 'failed' ? status.error : undefined;
  const lines = exit.tail.filter((line) => line.trim() !== '' && !/^\s+at\s/.test(line) && !(reason && line.includes(reason))).slice(-3);
  const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  return `KD-UDA: run ${name} failed (${how})${reason ? `: ${reason}` : ''}.${lines.length ? ` Last lines: ${lines.join(' / ')}` : ''}`;
}

export type LaunchResult = { started: true; pid?: number } | { started: false; queued: number } | { started: false; reason: string };

/**
 * Starts a trainer through the run queue and reports it (progress, end): resolves once it started,
 * was queued, or could not start.
 */
export function launchRun(activeRuns: ActiveRuns, label: string, start: () => TrainerProcess): Promise<LaunchResult> {
  return new Promise((resolve) => {
    const place = activeRuns.startOrQueue({
      label,
      start,
      started: (run) => {
        if (run instanceof Error) {
          void vscode.window.showErrorMessage(run.message);
          resolve({ started: false, reason: run.message });
          return;
        }
        reportWhenDone(run);
        resolve({ started: true, pid: run.trainer.pid });
      },
    });
    if (place > 0) {
      void vscode.window.showInformationMessage(`KD-UDA: ${label} is queued (${place} waiting; kdUda.maxConcurrentRuns is reached).`);
      resolve({ started: false, queued: place });
    }
  });
}
