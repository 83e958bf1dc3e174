import * as vscode from 'vscode';
import path from 'node:path';
import { datasetRootOfExperiment } from '../../experiment/datasetRoot';

const EXPERIMENT_GLOB = '**/*.kdexp.json';

/**
 * The dataset roots to show: the `kdUda.datasets` setting plus the `data.root` of every
 * experiment file in the workspace. Fires when either source changes.
 */
export class DatasetRoots implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('kdUda.datasets')) this.changed.fire();
      }),
    );
    const experiments = vscode.workspace.createFileSystemWatcher(EXPERIMENT_GLOB);
    this.disposables.push(
      experiments,
      experiments.onDidCreate(() => this.changed.fire()),
      experiments.onDidChange(() => this.changed.fire()),
      experiments.onDidDelete(() => this.changed.fire()),
    );
  }

  /** Absolute, de-duplicated roots in the order: settings first, then experiment files. */
  async list(): Promise<string[]> {
    const roots = [...this.fromSettings(), ...(await this.fromExperiments())];
    return [...new Set(roots.map((root) => path.normalize(root)))];
  }

  private fromSettings(): string[] {
    const configured = vscode.workspace.getConfiguration('kdUda').get<unknown>('datasets');
    if (!Array.isArray(configured)) return [];
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return configured
      .filter((entry): entry is string => typeof entry === 'string' && entry.trim() !== '')
      .map((entry) => (path.isAbsolute(entry) || base === undefined ? entry : path.resolve(base, entry)));
  }

  private async fromExperiments(): Promise<string[]> {
    const files = await vscode.workspace.findFiles(EXPERIMENT_GLOB, '**/node_modules/**', 500);
    const roots = await Promise.all(
      files.map(async (file) => {
        try {
          const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
          return datasetRootOfExperiment(text, file.fsPath);
        } catch {
          return undefined;
        }
      }),
    );
    return roots.filter((root): root is string => root !== undefined).sort();
  }

  /** Adds a root to the workspace's `kdUda.datasets` setting. */
  async add(root: string): Promise<void> {
    const config = vscode.workspace.getConfiguration('kdUda');
    const current = config.get<string[]>('datasets') ?? [];
    if (current.includes(root)) return;
    const target = vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await config.update('datasets', [...current, root], target);
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
