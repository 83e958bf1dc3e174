import * as vscode from 'vscode';
import { watch, type FSWatcher } from 'chokidar';
import path from 'node:path';
import { listRuns, type RunListing } from '../../runs/listRuns';
import { readRunResults, type ModelHeadline } from '../../runs/readRunResults';
import type { RunState } from '../../runs/runFolderFormat';
import { KeyedDebouncer } from '../../util/debounce';
import { runsDirectory } from './runsDirectory';

export type RunNode = { kind: 'run'; run: RunListing } | { kind: 'model'; run: RunListing; epoch: number; model: ModelHeadline } | { kind: 'problem'; run: RunListing; message: string };

const percent = (value: number): string => (Number.isFinite(value) ? `${(100 * value).toFixed(1)}%` : '–');

const STATE_ICONS: Record<RunState, vscode.ThemeIcon> = {
  queued: new vscode.ThemeIcon('clock'),
  running: new vscode.ThemeIcon('sync~spin'),
  stopped: new vscode.ThemeIcon('debug-stop'),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')),
  done: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
};

/**
 * Runs view: the run folders in the runs directory with their state and, under each finished one,
 * every model's last-epoch accuracy per target (the headline; no target label chooses it).
 */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private readonly debouncer = new KeyedDebouncer<'runs'>(200, () => this.changed.fire());
  private watcher: FSWatcher | undefined;

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
  }

  refresh(): void {
    this.changed.fire();
  }

  async getChildren(element?: RunNode): Promise<RunNode[]> {
    if (!element) {
      const dir = runsDirectory();
      return dir === undefined ? [] : (await listRuns(dir)).map((run) => ({ kind: 'run', run }));
    }
    if (element.kind !== 'run') return [];
    const reading = await readRunResults(element.run.dir);
    if (reading.kind === 'problem') return [{ kind: 'problem', run: element.run, message: reading.message }];
    if (reading.kind === 'none') return [];
    return reading.models.map((model) => ({ kind: 'model', run: element.run, epoch: reading.epoch, model }));
  }

  getTreeItem(node: RunNode): vscode.TreeItem {
    if (node.kind === 'model') {
      const { model } = node;
      const item = new vscode.TreeItem(model.role, vscode.TreeItemCollapsibleState.None);
      item.id = `run:${node.run.dir}\u0000${model.role}`;
      item.contextValue = 'runModel';
      item.iconPath = new vscode.ThemeIcon(model.role === 'student' ? 'mortar-board' : 'library');
      item.description = `mean ${percent(model.meanTarget)} · ${model.targets.map((target) => `${target.domain} ${percent(target.accuracy)}`).join(' · ')}`;
      item.tooltip = `${model.role}, epoch ${node.epoch} (last epoch: no target labels used to choose it)\n${model.targets.map((target) => `${target.domain}: ${percent(target.accuracy)}`).join('\n')}`;
      return item;
    }
    if (node.kind === 'problem') {
      const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
      return item;
    }
    const { run } = node;
    const finished = run.state === 'done' || run.state === 'stopped' || run.state === 'failed';
    const item = new vscode.TreeItem(run.runId, finished ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `run:${run.dir}`;
    item.contextValue = run.state ? `run.${run.state}` : 'run.unreadable';
    item.resourceUri = vscode.Uri.file(run.dir);
    item.description = run.state ?? 'unreadable';
    item.iconPath = run.state ? STATE_ICONS[run.state] : new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    item.tooltip = run.problem ?? (run.error ? `${run.dir}\nFailed: ${run.error}` : run.dir);
    return item;
  }

  dispose(): void {
    this.debouncer.dispose();
    void this.watcher?.close();
    for (const disposable of this.disposables) disposable.dispose();
  }
}
