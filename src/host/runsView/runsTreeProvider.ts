import * as vscode from 'vscode';
import { watch, type FSWatcher } from 'chokidar';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { listCheckpoints, type CheckpointListing } from '../../runFolder/listCheckpoints';
import { listRuns, readRunStatus, type RunListing } from '../../runFolder/listRuns';
import { readLogTail } from '../../runFolder/readLogTail';
import { readRunExperimentName } from '../../runFolder/readRunExperimentName';
import { readRunResults, type ModelHeadline } from '../../runFolder/readRunResults';
import { RUN_FILES, type RunState } from '../../runFolder/runFolderFormat';
import { KeyedDebouncer } from '../../util/debounce';
import { runsDirectory } from './runsDirectory';

/** `name` undefined: the runs whose experiment.json cannot be read. */
export type ExperimentNode = { kind: 'experiment'; name: string | undefined; runs: RunListing[] };

export type RunNode =
  | ExperimentNode
  | { kind: 'run'; run: RunListing }
  | { kind: 'model'; run: RunListing; epoch: number; model: ModelHeadline }
  | { kind: 'checkpoints'; run: RunListing }
  | { kind: 'checkpoint'; run: RunListing; checkpoint: CheckpointListing }
  | { kind: 'problem'; run: RunListing; message: string };

const UNKNOWN_EXPERIMENT = '(unknown experiment)';
/** Lines of trainer.log a failed run's tooltip shows. */
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

  constructor() {
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
      const runs = dir === undefined ? [] : await listRuns(dir);
      this.checkWhileRunning(runs);
      return this.groupByExperiment(runs);
    }
    switch (element.kind) {
      case 'experiment':
        return element.runs.map((run) => ({ kind: 'run', run }));
      case 'run':
        return this.runChildren(element.run);
      case 'checkpoints':
        return (await listCheckpoints(element.run.dir)).map((checkpoint) => ({ kind: 'checkpoint', run: element.run, checkpoint }));
      default:
        return [];
    }
  }

  private checkWhileRunning(runs: readonly RunListing[]): void {
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

  /** A failed run's tooltip carries the last lines of its log, read only when the user hovers it. */
  async resolveTreeItem(item: vscode.TreeItem, node: RunNode): Promise<vscode.TreeItem> {
    if (node.kind !== 'run' || node.run.state !== 'failed') return item;
    const tail = await readLogTail(node.run.dir, LOG_TAIL_LINES);
    const reason = node.run.error ? `\nFailed: ${node.run.error}` : '\nFailed';
    item.tooltip = `${node.run.dir}${reason}${tail.length ? `\n\nLast lines of ${RUN_FILES.log}:\n${tail.join('\n')}` : ''}`;
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

  private runItem(run: RunListing): vscode.TreeItem {
    const opens = run.state !== undefined && run.state !== 'queued';
    const item = new vscode.TreeItem(run.runId, opens ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `run:${run.dir}`;
    item.contextValue = run.state ? `run.${run.state}` : 'run.unreadable';
    item.resourceUri = vscode.Uri.file(run.dir);
    item.description = run.state === 'failed' && run.error ? `failed: ${run.error}` : (run.state ?? 'unreadable');
    item.iconPath = run.state ? STATE_ICONS[run.state] : new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    // A failed run's tooltip is left to resolveTreeItem, which adds its last log lines.
    if (run.state !== 'failed') item.tooltip = run.problem ?? run.dir;
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
    const item = new vscode.TreeItem(checkpoint.role, vscode.TreeItemCollapsibleState.None);
    item.id = `checkpoint:${checkpoint.dir}`;
    item.contextValue = 'checkpoint';
    item.iconPath = new vscode.ThemeIcon('package');
    const midEpoch = /-step-\d+$/.test(checkpoint.set) ? ` step ${checkpoint.stepInEpoch}` : '';
    item.description = `epoch ${checkpoint.epoch}${midEpoch} · ${formatBytes(checkpoint.bytes)}${checkpoint.latest ? ' · latest' : ''}`;
    item.tooltip = [
      checkpoint.dir,
      `${checkpoint.role} (${checkpoint.architecture}), epoch ${checkpoint.epoch}${midEpoch}, ${formatBytes(checkpoint.bytes)} of model.json and weights.bin`,
      ...(checkpoint.latest ? ['The latest set: Resume Run continues from it.'] : []),
    ].join('\n');
    return item;
  }

  dispose(): void {
    clearInterval(this.runningCheck);
    this.debouncer.dispose();
    void this.watcher?.close();
    for (const disposable of this.disposables) disposable.dispose();
  }
}
