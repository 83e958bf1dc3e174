import * as vscode from 'vscode';
import { epochSummary } from '../../runFolder/epochSummary';
import { parseRunFolderAnnouncement, parseTrainRefusal } from '../../runFolder/runFolderAnnouncement';
import type { ExecutionEnd, RunExecution } from '../processes/runExecution';
import { CommandId } from '../commands/commandId';
import { EpochFollower, type FollowedSession } from './epochFollower';
import { notifyRunEnd } from './runEndNotification';
import { runChannelName } from './runChannelName';
import { ProgressLogPacing } from '../../runComparison/progressLogPacing';
import { TrainingProgressTracker, type TrainingProgress } from '../../runComparison/trainingProgress';
import { progressDetail, progressLine, runNotificationMessage } from '../../runComparison/trainingProgressText';

export interface ActiveRun {
  /** What the user calls the run: its experiment's name (with a sweep's point). */
  label: string;
  execution: RunExecution;
  output: vscode.OutputChannel;
  /** Known from the start for a prepared run folder, else once the trainer has announced it. */
  runDir?: string;
  /** Why the trainer would not start, when it said so: the experiment's, data's or backend's problems. */
  refused?: string;
  /** The last epoch the run finished, from its run folder, and in words (`epoch 2/20: …`). */
  progress?: RunEpoch;
  /** Fires with `progress` each time it changes. */
  onDidProgress: vscode.Event<RunEpoch>;
  /** Where the trainer stands inside its epochs (step, running loss, ETA), from its step events; recomputed each second. */
  training?: TrainingProgress;
  /** Fires when `training`, as a line of text, changes. */
  onDidStep: vscode.Event<TrainingProgress | undefined>;
}

/** Longer labels are cut so that the status bar keeps room for the progress. */
const STATUS_LABEL_LENGTH = 24;
/** How often the ETAs count down between the trainer's events (an evaluation may take minutes). */
const TICK_MS = 1000;

/** A `when`-clause context key: true while a run of this window executes. */
export const RUN_ACTIVE_CONTEXT = 'kdUda.runActive';

export interface RunEpoch {
  epoch: number;
  epochs: number;
  /** Each model's mean target accuracy at that epoch (a fraction). */
  meanTargetAccuracy: Record<string, number>;
  summary: string;
}

interface Following {
  /** Once the trainer has said which run folder it writes. */
  epochs?: EpochFollower;
  progressed: vscode.EventEmitter<RunEpoch>;
  stepped: vscode.EventEmitter<TrainingProgress | undefined>;
  steps: TrainingProgressTracker;
  logPacing: ProgressLogPacing;
}

export interface QueuedRun {
  label: string;
  /** The run folder it executes, when prepared before it starts. */
  runDir?: string;
  /** A resume of a run folder that ran before (its output channel says so). */
  resumed?: boolean;
  /** Starts the run when a slot frees up; throws when it cannot (e.g. trust was revoked). */
  start: () => RunExecution;
  /** Called with the run once started, or the error. */
  started: (run: ActiveRun | Error) => void;
}

/**
 * The runs this window started (trainer processes here, Slurm jobs), with a status-bar item for the
 * newest. A run's output channel stays after it ends, so its log can still be read. Local runs
 * beyond `kdUda.maxConcurrentRuns` wait in a queue; Slurm jobs queue on the cluster instead.
 */
export class ActiveRuns implements vscode.Disposable {
  private readonly runs = new Set<ActiveRun>();
  /** Per run, what follows its run folder: ended with the run, or with the window. */
  private readonly following = new Map<ActiveRun, Following>();
  private readonly queue: QueuedRun[] = [];
  private readonly statusBar = vscode.window.createStatusBarItem('kdUda.activeRun', vscode.StatusBarAlignment.Left, 10);
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a run starts, reports progress or exits. */
  readonly onDidChange = this.changed.event;
  /** What the RUN_ACTIVE_CONTEXT key was last set to. */
  private contextActive = false;
  /** Counts the ETAs down while a run executes. */
  private ticker: NodeJS.Timeout | undefined;

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
    if (this.localRunning() < this.maxConcurrent()) {
      this.launch(request);
      return 0;
    }
    this.queue.push(request);
    this.update();
    return this.queue.length;
  }

  /** Runs whose trainer runs on this machine: a Slurm job takes no local slot. */
  private localRunning(): number {
    return [...this.runs].filter((run) => run.execution.pid !== undefined).length;
  }

  private launch(request: QueuedRun): void {
    let execution: RunExecution;
    try {
      execution = request.start();
    } catch (error) {
      request.started(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    request.started(this.add(request.label, execution, request.runDir, request.resumed));
  }

  /** Follows a run that executes now: through its run folder when known, else once the trainer announces it. */
  add(label: string, execution: RunExecution, runDir?: string, resumed = false): ActiveRun {
    const startedAt = new Date();
    const output = vscode.window.createOutputChannel(runChannelName(label, runDir, startedAt, resumed));
    const progressed = new vscode.EventEmitter<RunEpoch>();
    const stepped = new vscode.EventEmitter<TrainingProgress | undefined>();
    const run: ActiveRun = { label, execution, output, onDidProgress: progressed.event, onDidStep: stepped.event };
    const following: Following = { progressed, stepped, steps: new TrainingProgressTracker(), logPacing: new ProgressLogPacing() };
    this.runs.add(run);
    this.following.set(run, following);
    const follow = (dir: string, session: FollowedSession): void => {
      run.runDir = dir;
      following.epochs = new EpochFollower(
        dir,
        session,
        (event) => {
          run.progress = { epoch: event.epoch, epochs: event.epochs, meanTargetAccuracy: event.meanTargetAccuracy, summary: epochSummary(event) };
          progressed.fire(run.progress);
          this.update();
        },
        (problem) => output.appendLine(`[progress not read: ${problem}]`),
        (events) => {
          for (const event of events) following.steps.add(event);
          this.refreshTraining(run, following);
          // Steps change only the status bar: the Runs view listens to onDidChange, per epoch.
          this.showStatus();
        },
      );
      this.update();
    };
    if (runDir) follow(runDir, execution.pid !== undefined ? { pid: execution.pid } : { since: startedAt });
    execution.onLine((line) => output.appendLine(line));
    execution.onMessage((message) => {
      const refusal = parseTrainRefusal(message);
      if (refusal) run.refused = refusal.reason;
      const announced = parseRunFolderAnnouncement(message);
      if (announced && !following.epochs) follow(announced.runDir, { pid: announced.pid });
    });
    void execution.exit.then((end: ExecutionEnd) => {
      output.appendLine(`[${execution.where} ended: ${end.reason ?? end.signal ?? `code ${end.code}`}]`);
      this.stopFollowing(run);
      this.runs.delete(run);
      const next = this.queue.shift();
      if (next) this.launch(next);
      this.update();
    });
    this.update();
    return run;
  }

  /** The run's step progress as of now, and a line of it in its output when one is due. */
  private refreshTraining(run: ActiveRun, following: Following): void {
    const now = Date.now();
    const before = run.training && progressLine(run.training);
    run.training = following.steps.progress(now);
    if (run.training && following.logPacing.shouldLog(run.training, now)) run.output.appendLine(`[progress] ${progressLine(run.training)}`);
    if ((run.training && progressLine(run.training)) !== before) following.stepped.fire(run.training);
  }

  private tick(): void {
    for (const [run, following] of this.following) this.refreshTraining(run, following);
    this.showStatus();
  }

  /** The status-bar item as shown (undefined while hidden): what a user reads, for tests to read too. */
  statusBarShown(): { text: string; tooltip: string } | undefined {
    return this.runs.size
      ? { text: this.statusBar.text, tooltip: typeof this.statusBar.tooltip === 'string' ? this.statusBar.tooltip : (this.statusBar.tooltip?.value ?? '') }
      : undefined;
  }

  private stopFollowing(run: ActiveRun): void {
    const following = this.following.get(run);
    following?.epochs?.dispose();
    following?.progressed.dispose();
    following?.stepped.dispose();
    this.following.delete(run);
  }

  private update(): void {
    // The Runs view's title shows Stop while a run of this window executes (what Stop without a run stops).
    const active = this.runs.size > 0;
    if (active !== this.contextActive) {
      this.contextActive = active;
      void vscode.commands.executeCommand('setContext', RUN_ACTIVE_CONTEXT, active);
    }
    this.showStatus();
    this.changed.fire();
  }

  /** One item for the newest run: where it stands and, while it trains, its step, loss and ETA. */
  private showStatus(): void {
    const newest = [...this.runs].at(-1);
    if (!newest) {
      this.statusBar.hide();
    } else {
      const others = this.runs.size > 1 ? ` (+${this.runs.size - 1})` : '';
      const waiting = this.queue.length ? `, ${this.queue.length} queued` : '';
      const { progress, training } = newest;
      const label = newest.label.length > STATUS_LABEL_LENGTH ? `${newest.label.slice(0, STATUS_LABEL_LENGTH - 1)}…` : newest.label;
      const where = training ? progressLine(training) : progress ? `epoch ${progress.epoch}/${progress.epochs}` : 'starting';
      this.statusBar.text = `$(sync~spin) ${label}: ${where}${others}${waiting}`;
      const detail = [newest.label, training ? progressDetail(training) : 'Starting the trainer…', ...(progress ? [`Last epoch: ${progress.summary}`] : [])];
      this.statusBar.tooltip = `${detail.join('\n')}\nClick to stop a run.`;
      this.statusBar.show();
    }
    if (newest && !this.ticker) this.ticker = setInterval(() => this.tick(), TICK_MS);
    else if (!newest && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  dispose(): void {
    // Nothing may outlive the window: trainers get SIGKILL (SIGTERM needs time we do not have here).
    for (const run of this.runs) {
      this.stopFollowing(run);
      run.execution.dispose();
      run.output.dispose();
    }
    this.runs.clear();
    this.queue.length = 0;
    clearInterval(this.ticker);
    this.statusBar.dispose();
    this.changed.dispose();
  }
}

/**
 * While the run trains: a notification with its step, loss and ETA and its last epoch's line, and a
 * Cancel button that stops it cleanly (SIGTERM, checkpoint). When it ends: what came of it (see
 * runEndNotification.ts).
 */
export function reportWhenDone(run: ActiveRun): void {
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `KD-UDA: ${run.label}`, cancellable: true },
    (progress, cancellation) => {
      cancellation.onCancellationRequested(() => void run.execution.stop());
      const report = () => progress.report({ message: runNotificationMessage(run.training, run.progress?.summary).slice(0, 200) });
      report();
      const epochs = run.onDidProgress(report);
      const steps = run.onDidStep(report);
      return run.execution.exit.finally(() => {
        epochs.dispose();
        steps.dispose();
      });
    },
  );
  void run.execution.exit.then((exit) => notifyRunEnd(run, exit));
}

export type LaunchResult = { started: true; pid?: number } | { started: false; queued: number } | { started: false; reason: string };

/**
 * Starts a trainer through the run queue and reports it (progress, end; `quiet` for a sweep's runs,
 * which the Runs view shows): resolves once it started, was queued, or could not start.
 */
export function launchRun(
  activeRuns: ActiveRuns,
  label: string,
  start: () => RunExecution,
  options: { runDir?: string; quiet?: boolean; resumed?: boolean } = {},
): Promise<LaunchResult> {
  return new Promise((resolve) => {
    const place = activeRuns.startOrQueue({
      label,
      runDir: options.runDir,
      resumed: options.resumed,
      start,
      started: (run) => {
        if (run instanceof Error) {
          void vscode.window.showErrorMessage(run.message);
          resolve({ started: false, reason: run.message });
          return;
        }
        // A sweep's runs are followed in the Runs view, not one notification each.
        if (!options.quiet) reportWhenDone(run);
        resolve({ started: true, pid: run.execution.pid });
      },
    });
    if (place > 0 && options.quiet) resolve({ started: false, queued: place });
    else if (place > 0) {
      void vscode.window.showInformationMessage(`KD-UDA: ${label} is queued (${place} waiting; kdUda.maxConcurrentRuns is reached).`);
      resolve({ started: false, queued: place });
    }
  });
}
