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
import type { PanelRequest } from '../../protocol/panelMessages';
import type { DatasetRoots } from '../datasetsView/datasetRoots';
import type { DatasetStore } from '../datasetsView/datasetStore';
import { newPanel, OpenPanels, PanelHost, panelOptions, restoringSerializer } from './panelHost';

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
export class DatasetPanel extends PanelHost<HostToDatasetPanel, DatasetPanelToHost> {
  private static readonly open = new OpenPanels<DatasetPanel>();

  static show(deps: DatasetPanelDeps, root: string): DatasetPanel {
    return (
      DatasetPanel.open.reveal(root) ??
      new DatasetPanel(deps, root, newPanel(DATASET_PANEL_VIEW_TYPE, DatasetPanel.title(root), DatasetPanel.options(deps.context, root)))
    );
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

  private constructor(
    { context, store, output }: DatasetPanelDeps,
    readonly root: string,
    panel: vscode.WebviewPanel,
  ) {
    super(panel, {
      extensionUri: context.extensionUri,
      output,
      entry: 'dataset',
      title: DatasetPanel.title(root),
      logName: `Dataset panel (${root})`,
      parse: parseDatasetPanelMessage,
      openAs: { panels: DatasetPanel.open, key: root },
    });
    this.store = store;
    this.disposables.push(
      store.onDidChange((changedRoot) => {
        if (store.affects(changedRoot, root)) this.update();
      }),
    );
    store.ensure(root);
  }

  protected receive(message: PanelRequest<DatasetPanelToHost>): void {
    if (message.type === 'refresh') {
      void this.store.rescan(this.root);
      return;
    }
    const domain = this.store.shownSummary(this.root)?.domains.find((candidate) => candidate.name === message.domain);
    if (!domain) return;
    const target = message.className ? vscode.Uri.file(path.join(domain.path, message.className)) : vscode.Uri.file(domain.path);
    void vscode.commands.executeCommand('revealInExplorer', target);
  }

  private snapshot(): DatasetPanelState {
    // A split root as the Datasets view shows it: its domains, train and test together.
    const summary = this.store.shownSummary(this.root);
    const thumbnails: Record<string, string> = {};
    for (const domain of summary?.domains ?? []) {
      for (const entryClass of domain.classes) {
        for (const sample of entryClass.samples) {
          thumbnails[sample] = this.panel.webview.asWebviewUri(vscode.Uri.file(sample)).toString();
        }
      }
    }
    return {
      root: this.root,
      name: datasetDisplayName(this.root),
      scanning: this.store.scanning(this.root),
      summary,
      thumbnails,
    };
  }

  protected sendState(): void {
    this.post({ type: 'snapshot', state: this.snapshot() });
  }
}
