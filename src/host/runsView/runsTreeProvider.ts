import * as vscode from 'vscode';
import { watch, type FSWatcher } from 'chokidar';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { listCheckpoints, type CheckpointListing } from '../../runFolder/listCheckpoints';
import { listRuns, readRunStatus, type RunListing } from '../../runFolder/listRuns';
import { readLogTail } from '../../runFolder/readLogTail';
import { firstUsefulLine, resumePoint } from '../../runFolder/runEndSummary';
import { readRunExperimentName } from '../../runFolder/readRunExperimentName';
import { readRunResults, type ModelHeadline } from '../../runFolder/readRunResults';
import { RUN_FILES, type RunState } from '../../runFolder/runFolderFormat';
import { readStatusJson, readSweepJson } from '../../runFolder/readRunFiles';
import { runIdName, runStartedText } from '../../runFolder/runNaming';
import { KeyedDebouncer } from '../../util/debounce';
import type { SlurmJobMonitor } from '../../slurm/jobMonitor';
import { CommandId } from '../commands/commandId';
import { checkpointNodeLabel } from './checkpointNodes';
import { runsDirectory } from './runsDirectory';
import { shownRunState } from './slurmRunState';

/** `name` undefined: the runs whose experiment.json cannot be read. */
export type ExperimentNode = { kind: 'experiment'; name: string | undefined; runs: RunListing[] };

/** The runs of one sweep (a sweep.json's id), in the experiment they ran. */
export type SweepNode = { kind: 'sweep'; sweepId: string; runs: RunListing[] };

export type RunNode =
  | ExperimentNode
  | SweepNode
  | { kind: 'run'; run: RunListing }
  | { kind: 'model'; run: RunListing; epoch: number; model: ModelHeadline }
  | { kind: 'checkpoints'; run: RunListing }
  | { kind: 'checkpoint'; run: RunListing; checkpoint: CheckpointListing }
  | { kind: 'problem'; run: RunListing; message: string };

const UNKNOWN_EXPERIMENT = '(unknown experiment)';
/** Lines of trainer.log a failed run's tooltip shows when its trainer recorded no error. */
const LOG_TAIL_LINES = 8;
/**
 * How often runs that say running are checked again: a trainer killed from outside (out of memory,
 * SIGKILL) writes nothing, so no file event tells the view that its run is now failed.
 */
const RUNNING_CHECK_MS = 5000;

const percent = (value: number | undefined): string => (value !== undefined && Number.isFinite(value) ? `${(100 * value).toFixed(1)}%` : '–');

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  for (; value >= 1024 && unit < units.length - 1; unit++) value /= 1024;
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const STATE_ICONS: Record<RunState, vscode.ThemeIcon> = {
  queued: new vscode.ThemeIcon('clock'),
  running: new vscode.ThemeIcon('sync~spin'),
  stopped: new vscode.ThemeIcon('debug-stop'),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')),
  done: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
};

/**
 * Runs view: the run folders in the runs directory grouped by the experiment they ran, newest
 * first, with their state; under each run, every model's last-epoch accuracy per target (the
 * headline; no target label chooses it) and its checkpoints. Only the top level is read up front
 * (status.json and experiment.json per run); results and checkpoints are read when a run is opened.
 */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly debouncer = new KeyedDebouncer<'runs'>(200, () => this.changed.fire());
  private watcher: FSWatcher | undefined;
  /** Run folder -> experiment name: experiment.json never changes once a run has written it. */
  private readonly experimentNames = new Map<string, string>();
  /** The run folders last listed as running, and the timer that checks them while there are any. */
  private running: string[] = [];
  private runningCheck: ReturnType<typeof setInterval> | undefined;
  /** Run folder -> its sweep id (null: none); a run joins a sweep once, when prepared or first reused. */
  private readonly sweepIds = new Map<string, string | null>();
  /** What a run's item says, as last listed: its state joined with its Slurm job's. */
  private readonly descriptions = new Map<string, string>();
  /** The Slurm jobs of queued and running runs, watched while they are listed so. */
  private readonly watchedJobs = new Map<string, vscode.Disposable>();

  constructor(private readonly slurmJobs: SlurmJobMonitor) {
    this.disposables.push(slurmJobs.onDidChange(() => this.debouncer.trigger('runs')));
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration('kdUda.runsDirectory')) return;
        this.watchRunsDirectory();
        this.refresh();
      }),
    );
    this.watchRunsDirectory();
  }

  /**
   * Runs started anywhere (a terminal, a scheduler) appear and change state live: the runs folder
   * is watched wherever it is, inside the workspace or not, and even before it exists (its parent
   * is watched, pruned to the path that leads to it).
   */
  private watchRunsDirectory(): void {
    void this.watcher?.close();
    this.watcher = undefined;
    const dir = runsDirectory();
    if (dir === undefined) return;
    const leadsToRuns = (file: string): boolean => dir.startsWith(file) || file.startsWith(dir + path.sep) || file === dir;
    this.watcher = watch(path.dirname(dir), { ignoreInitial: true, depth: 2, ignored: (file) => !leadsToRuns(file) });
    this.watcher.on('all', (_event, file) => {
      if (file === dir || /(status|results)\.json$/.test(file) || path.dirname(file) === dir) this.debouncer.trigger('runs');
    });
    // A run written while the watcher was still making its first pass raised no event.
    this.watcher.on('ready', () => this.debouncer.trigger('runs'));
  }

  refresh(): void {
    this.changed.fire();
  }

  async getChildren(element?: RunNode): Promise<RunNode[]> {
    if (!element) {
      const dir = runsDirectory();
      const runs = dir === undefined ? [] : (await listRuns(dir)).map((run) => this.withSlurmJob(run));
      this.checkWhileRunning(runs);
      return this.groupByExperiment(runs);
    }
    switch (element.kind) {
      case 'experiment':
        return this.groupBySweep(element.runs);
      case 'sweep':
        return element.runs.map((run) => ({ kind: 'run', run }));
      case 'run':
        return this.runChildren(element.run);
      case 'checkpoints':
        return (await listCheckpoints(element.run.dir)).map((checkpoint) => ({ kind: 'checkpoint', run: element.run, checkpoint }));
      default:
        return [];
    }
  }

  /** The run as its Slurm job says it stands (watching the job while the run is queued or running). */
  private withSlurmJob(run: RunListing): RunListing {
    const live = run.slurm && (run.state === 'queued' || run.state === 'running');
    const shown = shownRunState(run, live ? this.slurmJobs.report(run.slurm!.jobId) : undefined);
    this.descriptions.set(run.dir, shown.description);
    return { ...run, state: shown.state, ...(shown.error ? { error: shown.error } : {}) };
  }

  /** Watches the jobs of the runs listed as queued or running on Slurm, and only those. */
  private watchSlurmJobs(runs: readonly RunListing[]): void {
    const wanted = new Set(runs.filter((run) => run.slurm && (run.state === 'queued' || run.state === 'running')).map((run) => run.slurm!.jobId));
    for (const [jobId, watch] of this.watchedJobs) {
      if (wanted.has(jobId)) continue;
      watch.dispose();
      this.watchedJobs.delete(jobId);
    }
    for (const jobId of wanted) if (!this.watchedJobs.has(jobId)) this.watchedJobs.set(jobId, this.slurmJobs.watch(jobId));
  }

  /** A sweep's runs under one node, placed where its newest run is; runs of no sweep stay as they are. */
  private async groupBySweep(runs: RunListing[]): Promise<RunNode[]> {
    const ids = await Promise.all(runs.map((run) => this.sweepIdOf(run.dir)));
    const nodes: RunNode[] = [];
    const sweeps = new Map<string, SweepNode>();
    runs.forEach((run, index) => {
      const sweepId = ids[index];
      if (sweepId === null) {
        nodes.push({ kind: 'run', run });
        return;
      }
      const sweep = sweeps.get(sweepId);
      if (sweep) sweep.runs.push(run);
      else {
        const node: SweepNode = { kind: 'sweep', sweepId, runs: [run] };
        sweeps.set(sweepId, node);
        nodes.push(node);
      }
    });
    return nodes;
  }

  private async sweepIdOf(runDir: string): Promise<string | null> {
    const cached = this.sweepIds.get(runDir);
    if (cached !== undefined) return cached;
    const sweepId = await readSweepJson(runDir).then(
      (membership) => membership.sweepId,
      () => null,
    );
    // Only a membership is final: a run of no sweep may still join one when a sweep reuses it.
    if (sweepId !== null) this.sweepIds.set(runDir, sweepId);
    return sweepId;
  }

  private checkWhileRunning(runs: readonly RunListing[]): void {
    this.watchSlurmJobs(runs);
    this.running = runs.filter((run) => run.state === 'running').map((run) => run.dir);
    if (this.running.length === 0) {
      clearInterval(this.runningCheck);
      this.runningCheck = undefined;
      return;
    }
    this.runningCheck ??= setInterval(() => {
      void Promise.all(this.running.map((dir) => readRunStatus(dir))).then((statuses) => {
        if (statuses.some((status) => status.state !== 'running')) this.refresh();
      });
    }, RUNNING_CHECK_MS);
  }

  /** Experiments in the order of their newest run (runs arrive newest first); unreadable ones last. */
  private async groupByExperiment(runs: RunListing[]): Promise<ExperimentNode[]> {
    const names = await Promise.all(runs.map((run) => this.experimentNameOf(run.dir)));
    const listed = new Set(runs.map((run) => run.dir));
    for (const dir of [...this.experimentNames.keys()]) if (!listed.has(dir)) this.experimentNames.delete(dir);
    const groups = new Map<string | undefined, RunListing[]>();
    runs.forEach((run, index) => {
      const group = groups.get(names[index]);
      if (group) group.push(run);
      else groups.set(names[index], [run]);
    });
    const known = [...groups].filter(([name]) => name !== undefined);
    const unknown = groups.get(undefined);
    return [...known, ...(unknown ? [[undefined, unknown] as const] : [])].map(([name, grouped]) => ({ kind: 'experiment', name, runs: grouped }));
  }

  private async experimentNameOf(runDir: string): Promise<string | undefined> {
    const cached = this.experimentNames.get(runDir);
    if (cached !== undefined) return cached;
    // Not cached when unreadable: the trainer may not have written experiment.json yet.
    const name = await readRunExperimentName(runDir);
    if (name !== undefined) this.experimentNames.set(runDir, name);
    return name;
  }

  private async runChildren(run: RunListing): Promise<RunNode[]> {
    const reading = await readRunResults(run.dir);
    const children: RunNode[] =
      reading.kind === 'problem'
        ? [{ kind: 'problem', run, message: reading.message }]
        : reading.kind === 'results'
          ? reading.models.map((model) => ({ kind: 'model', run, epoch: reading.epoch, model }))
          : [];
    if (existsSync(path.join(run.dir, RUN_FILES.checkpoints))) children.push({ kind: 'checkpoints', run });
    return children;
  }

  getTreeItem(node: RunNode): vscode.TreeItem {
    switch (node.kind) {
      case 'experiment':
        return this.experimentItem(node);
      case 'sweep':
        return this.sweepItem(node);
      case 'model':
        return this.modelItem(node.run, node.epoch, node.model);
      case 'checkpoints': {
        const item = new vscode.TreeItem('Checkpoints', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `checkpoints:${node.run.dir}`;
        item.contextValue = 'checkpoints';
        item.iconPath = new vscode.ThemeIcon('archive');
        item.tooltip = path.join(node.run.dir, RUN_FILES.checkpoints);
        return item;
      }
      case 'checkpoint':
        return this.checkpointItem(node.checkpoint);
      case 'problem': {
        const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
        return item;
      }
      case 'run':
        return this.runItem(node.run);
    }
  }

  /**
   * A failed run's tooltip, read only when the user hovers it: the error its trainer recorded, in
   * one sentence (no stack, no log; the whole log is the run's Show Trainer Log), and where Resume
   * Run continues it when it saved a checkpoint. A trainer that
   * recorded none (killed, out of memory) left its log's last lines as the only account of how far
   * it got, so those are shown under the reason the view gives.
   */
  async resolveTreeItem(item: vscode.TreeItem, node: RunNode): Promise<vscode.TreeItem> {
    if (node.kind !== 'run' || node.run.state !== 'failed') return item;
    const heading = `${node.run.runId}\n${node.run.dir}`;
    const from = resumePoint(await listCheckpoints(node.run.dir));
    const resume = from ? `\nResume Run (its inline action or context menu) continues it from its checkpoint at ${from}.` : '';
    const recorded = firstUsefulLine((await readStatusJson(node.run.dir).catch(() => undefined))?.error);
    if (recorded) {
      item.tooltip = `${heading}\nFailed: ${recorded}${resume}\n\nShow Trainer Log (in the run's context menu) opens the whole ${RUN_FILES.log}.`;
      return item;
    }
    const tail = await readLogTail(node.run.dir, LOG_TAIL_LINES);
    const reason = node.run.error ? `\nFailed: ${node.run.error}` : '\nFailed';
    item.tooltip = `${heading}${reason}${resume}${tail.length ? `\n\nLast lines of ${RUN_FILES.log}:\n${tail.join('\n')}` : ''}`;
    return item;
  }

  private experimentItem(node: ExperimentNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.name ?? UNKNOWN_EXPERIMENT, vscode.TreeItemCollapsibleState.Expanded);
    item.id = node.name === undefined ? 'experiment-unknown' : `experiment:${node.name}`;
    item.contextValue = node.name === undefined ? 'experiment.unknown' : 'experiment';
    item.iconPath = new vscode.ThemeIcon(node.name === undefined ? 'question' : 'beaker');
    const active = node.runs.filter((run) => run.state === 'running' || run.state === 'queued').length;
    item.description = `${node.runs.length} ${node.runs.length === 1 ? 'run' : 'runs'}${active ? ` · ${active} active` : ''}`;
    item.tooltip = node.name === undefined ? 'Runs whose experiment.json is missing or unreadable' : `Runs of the experiment "${node.name}", newest first`;
    return item;
  }

  private sweepItem(node: SweepNode): vscode.TreeItem {
    const item = new vscode.TreeItem(`sweep ${node.sweepId}`, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `sweep:${node.sweepId}`;
    item.contextValue = 'sweep';
    item.iconPath = new vscode.ThemeIcon('layers');
    const count = (state: RunState) => node.runs.filter((run) => run.state === state).length;
    const counts = (['done', 'running', 'queued', 'failed', 'stopped'] as const).map((state) => [state, count(state)] as const).filter(([, n]) => n > 0);
    item.description = `${node.runs.length} ${node.runs.length === 1 ? 'run' : 'runs'}: ${counts.map(([state, n]) => `${n} ${state}`).join(' · ')}`;
    item.tooltip = `The runs of sweep ${node.sweepId}, newest first: ${counts.map(([state, n]) => `${n} ${state}`).join(', ')}`;
    return item;
  }

  /**
   * A run reads as its experiment (the run id repeats it after a timestamp that makes it too long
   * to read in a side bar), with when it started and its state beside it. Enter or a click opens
   * its results; the arrow opens its models and checkpoints. The context value, `run.<state>`,
   * picks its menu: `run.queued.slurm` for a queued Slurm job, which Stop cancels (a run waiting
   * in no queue of a window has nothing to stop).
   */
  private runItem(run: RunListing): vscode.TreeItem {
    const opens = run.state !== undefined && run.state !== 'queued';
    const label = this.experimentNames.get(run.dir) ?? runIdName(run.runId);
    const item = new vscode.TreeItem(label, opens ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `run:${run.dir}`;
    item.contextValue = run.state ? `run.${run.state}${run.state === 'queued' && run.slurm ? '.slurm' : ''}` : 'run.unreadable';
    item.resourceUri = vscode.Uri.file(run.dir);
    const state = this.descriptions.get(run.dir) ?? (run.state === 'failed' && run.error ? `failed: ${run.error}` : (run.state ?? 'unreadable'));
    const started = runStartedText(run.runId, run.startedAt);
    item.description = started ? `${started} · ${state}` : state;
    item.iconPath = run.state ? STATE_ICONS[run.state] : new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    if (run.state) item.command = { command: CommandId.OpenResults, title: 'Open Results', arguments: [run.dir] };
    // A failed run's tooltip is left to resolveTreeItem, which adds its last log lines.
    if (run.state !== 'failed') item.tooltip = run.problem ?? `${run.runId}\n${run.dir}${run.slurm ? `\nSlurm job ${run.slurm.jobId}` : ''}`;
    return item;
  }

  private modelItem(run: RunListing, epoch: number, model: ModelHeadline): vscode.TreeItem {
    const item = new vscode.TreeItem(model.role, vscode.TreeItemCollapsibleState.None);
    item.id = `run:${run.dir}\u0000${model.role}`;
    item.contextValue = 'runModel';
    item.iconPath = new vscode.ThemeIcon(model.role === 'student' ? 'mortar-board' : 'library');
    item.description = `mean ${percent(model.meanTarget)} · ${model.targets.map((target) => `${target.domain} ${percent(target.accuracy)}`).join(' · ')}`;
    item.tooltip = `${model.role}, epoch ${epoch} (last epoch: no target labels used to choose it)\n${model.targets.map((target) => `${target.domain}: ${percent(target.accuracy)}`).join('\n')}`;
    return item;
  }

  private checkpointItem(checkpoint: CheckpointListing): vscode.TreeItem {
    const item = new vscode.TreeItem(checkpointNodeLabel(checkpoint), vscode.TreeItemCollapsibleState.None);
    item.id = `checkpoint:${checkpoint.dir}`;
    item.contextValue = 'checkpoint';
    item.iconPath = new vscode.ThemeIcon('package');
    const midEpoch = /-step-\d+$/.test(checkpoint.set) ? ` step ${checkpoint.stepInEpoch}` : '';
    item.description = `${formatBytes(checkpoint.bytes)}${checkpoint.latest ? ' · latest' : ''}`;
    item.tooltip = [
      checkpoint.dir,
      `${checkpoint.role} (${checkpoint.architecture}), epoch ${checkpoint.epoch}${midEpoch}, ${formatBytes(checkpoint.bytes)} of model.json and weights.bin`,
      ...(checkpoint.latest ? ['The latest set: Resume Run continues from it.'] : []),
    ].join('\n');
    return item;
  }

  dispose(): void {
    clearInterval(this.runningCheck);
    for (const watch of this.watchedJobs.values()) watch.dispose();
    this.debouncer.dispose();
    void this.watcher?.close();
    for (const disposable of this.disposables) disposable.dispose();
  }
}
