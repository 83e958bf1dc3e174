import * as vscode from 'vscode';
import path from 'node:path';
import { datasetDisplayName } from '../../datasetScan/displayName';
import {
  DATASET_PANEL_VIEW_TYPE,
  parseDatasetPanelMessage,
  parseDatasetPanelPersistedState,
  type DatasetPanelState,
  type DatasetPanelToHost,
  type HostToDatasetPanel,
} from '../../protocol/datasetMessages';
import type { DatasetRoots } from '../datasetsView/datasetRoots';
import type { DatasetStore } from '../datasetsView/datasetStore';
import { panelOptions, restoringSerializer } from './panelOptions';
import { webviewHtml } from './webviewHtml';

/** What a dataset panel needs from the extension. */
export interface DatasetPanelDeps {
  context: vscode.ExtensionContext;
  store: DatasetStore;
  output: vscode.LogOutputChannel;
}

/**
 * One panel per dataset root: a domain x class matrix with thumbnails. The webview holds no data of
 * its own; after it says `ready` (and whenever the scan changes) it gets a whole snapshot.
 */
export class DatasetPanel implements vscode.Disposable {
  private static readonly open = new Map<string, DatasetPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;

  static show(deps: DatasetPanelDeps, root: string): DatasetPanel {
    const existing = DatasetPanel.open.get(root);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(DATASET_PANEL_VIEW_TYPE, DatasetPanel.title(root), vscode.ViewColumn.Active, DatasetPanel.options(deps.context, root));
    return new DatasetPanel(deps, root, panel);
  }

  /**
   * Restores panels that were open when the window reloaded. The root comes from the webview's
   * saved state and becomes a resource root the webview may load any file under, so only one of
   * the known dataset roots (settings and experiment files) is accepted.
   */
  static serializer(deps: DatasetPanelDeps, roots: Pick<DatasetRoots, 'list'>): vscode.WebviewPanelSerializer {
    return restoringSerializer('Dataset panel', deps.output, parseDatasetPanelPersistedState, async (panel, persisted) => {
      const root = (await roots.list()).find((known) => path.resolve(known) === path.resolve(persisted.root));
      if (root === undefined) return `${persisted.root} is not one of the dataset roots (kdUda.datasets, the experiment files' data.root)`;
      panel.webview.options = DatasetPanel.options(deps.context, root);
      new DatasetPanel(deps, root, panel);
    });
  }

  private static title(root: string): string {
    return `Dataset: ${datasetDisplayName(root)}`;
  }

  private static options(context: vscode.ExtensionContext, root: string): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return panelOptions(context.extensionUri, vscode.Uri.file(root));
  }

  private readonly store: DatasetStore;
  private readonly output: vscode.LogOutputChannel;

  private constructor(
    { context, store, output }: DatasetPanelDeps,
    readonly root: string,
    readonly panel: vscode.WebviewPanel,
  ) {
    this.store = store;
    this.output = output;
    DatasetPanel.open.set(root, this);
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'activity.svg');
    panel.webview.html = webviewHtml(panel.webview, context.extensionUri, 'dataset', DatasetPanel.title(root));
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      store.onDidChange((changedRoot) => {
        if (changedRoot === root) this.post();
      }),
    );
    store.ensure(root);
  }

  private receive(raw: unknown): void {
    const message: DatasetPanelToHost | undefined = parseDatasetPanelMessage(raw);
    if (!message) {
      this.output.warn(`Dataset panel (${this.root}): ignored a message of unknown type or shape: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.post();
        break;
      case 'refresh':
        void this.store.rescan(this.root);
        break;
      case 'revealInExplorer': {
        const domain = this.store.get(this.root)?.summary?.domains.find((candidate) => candidate.name === message.domain);
        if (!domain) return;
        const target = message.className ? vscode.Uri.file(path.join(domain.path, message.className)) : vscode.Uri.file(domain.path);
        void vscode.commands.executeCommand('revealInExplorer', target);
        break;
      }
    }
  }

  private snapshot(): DatasetPanelState {
    const entry = this.store.get(this.root);
    const thumbnails: Record<string, string> = {};
    for (const domain of entry?.summary?.domains ?? []) {
      for (const entryClass of domain.classes) {
        for (const sample of entryClass.samples) {
          thumbnails[sample] = this.panel.webview.asWebviewUri(vscode.Uri.file(sample)).toString();
        }
      }
    }
    return { root: this.root, name: datasetDisplayName(this.root), scanning: entry?.scanning ?? true, summary: entry?.summary, thumbnails };
  }

  private post(): void {
    if (!this.ready) return;
    const message: HostToDatasetPanel = { type: 'snapshot', state: this.snapshot() };
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    DatasetPanel.open.delete(this.root);
    for (const disposable of this.disposables) disposable.dispose();
    this.disposables.length = 0;
  }
}
