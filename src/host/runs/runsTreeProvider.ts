import * as vscode from 'vscode';
import { listRuns, type RunListing } from '../../runs/listRuns';
import { runsDirectory } from './runsDirectory';
import type { RunState } from '../../runs/runFolderFormat';

const STATE_ICONS: Record<RunState, vscode.ThemeIcon> = {
  queued: new vscode.ThemeIcon('clock'),
  running: new vscode.ThemeIcon('sync~spin'),
  stopped: new vscode.ThemeIcon('debug-stop'),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')),
  done: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
};

/** Runs view: the run folders in the workspace's runs directory, with their state. */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunListing>, vscode.Disposable {
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


  async getChildren(element?: RunListing): Promise<RunListing[]> {
    if (element) return [];
    const dir = runsDirectory();
    return dir === undefined ? [] : listRuns(dir);
  }

  getTreeItem(run: RunListing): vscode.TreeItem {
    const item = new vscode.TreeItem(run.runId, vscode.TreeItemCollapsibleState.None);
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
