import * as vscode from 'vscode';
import { listRuns, type RunListing } from '../../runs/listRuns';
import { readRunResults, type ModelHeadline } from '../../runs/readRunResults';
import type { RunState } from '../../runs/runFolderFormat';
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

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('kdUda.runsDirectory')) this.refresh();
      }),
    );
    const statusFiles = vscode.workspace.createFileSystemWatcher('**/status.json');
    this.disposables.push(statusFiles, statusFiles.onDidCreate(() => this.refresh()), statusFiles.onDidChange(() => this.refresh()), statusFiles.onDidDelete(() => this.refresh()));
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
    for (const disposable of this.disposables) disposable.dispose();
  }
}
