import * as vscode from 'vscode';
import path from 'node:path';
import { COMPARE_RUNS_PANEL_VIEW_TYPE, parseCompareRunsPanelMessage, type HostToCompareRunsPanel } from '../../protocol/compareRunsMessages';
import { RunComparisonReader } from '../../runComparison/readRunComparison';
import type { ComparisonTable } from '../../runComparison/runComparison';
import { CommandId } from '../commands/commandId';
import { runsDirectory } from '../runsView/runsDirectory';
import { panelOptions } from './panelOptions';
import { webviewHtml } from './webviewHtml';

export interface CompareRunsPanelDeps {
  context: vscode.ExtensionContext;
  output: vscode.LogOutputChannel;
  /** Fires when run folders appear, change state or finish (the Runs view's debounced watcher). */
  runsChanged: vscode.Event<unknown>;
}

const TITLE = 'Compare Runs';

/**
 * One panel: every run in the runs folder as a row of one table. The host reads the folders and
 * sends the whole table; the webview sorts and filters it. The table is re-read whenever the Runs
 * view sees the runs folder change, so runs finishing or started from a terminal appear live.
 */
export class CompareRunsPanel implements vscode.Disposable {
  private static current: CompareRunsPanel | undefined;
  /** Kept across panels (and, in the workspace's storage, across windows): reopening re-reads only the run folders that changed. */
  private static reader: RunComparisonReader | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private latest: { runsDir?: string; table: ComparisonTable } | undefined;
  /** Why the last read failed, until one succeeds: shown instead of a panel that never fills. */
  private failure: { runsDir?: string; message: string } | undefined;
  /** The read in flight; a change during it queues exactly one more. */
  private reading: Promise<void> | undefined;
  private rereadQueued = false;
  /** Problems already logged, so a refresh does not repeat them. */
  private readonly loggedProblems = new Set<string>();

  static show(deps: CompareRunsPanelDeps): CompareRunsPanel {
    if (CompareRunsPanel.current) {
      CompareRunsPanel.current.panel.reveal();
      return CompareRunsPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(COMPARE_RUNS_PANEL_VIEW_TYPE, TITLE, vscode.ViewColumn.Active, panelOptions(deps.context.extensionUri));
    return new CompareRunsPanel(deps, panel);
  }

  /** Restores the panel after a reload; its sort, filter and columns live in the webview's own state. */
  static serializer(deps: CompareRunsPanelDeps): vscode.WebviewPanelSerializer {
    return {
      deserializeWebviewPanel: async (panel) => {
        CompareRunsPanel.current?.panel.dispose();
        panel.webview.options = panelOptions(deps.context.extensionUri);
        new CompareRunsPanel(deps, panel);
      },
    };
  }


  private readonly output: vscode.LogOutputChannel;
  private readonly reader: RunComparisonReader;

  private constructor(
    { context, output, runsChanged }: CompareRunsPanelDeps,
    readonly panel: vscode.WebviewPanel,
  ) {
    this.output = output;
    CompareRunsPanel.current = this;
    const cacheFile = context.storageUri && path.join(context.storageUri.fsPath, 'compare-runs-cache.json');
    CompareRunsPanel.reader ??= new RunComparisonReader(cacheFile, (message) => output.warn(message));
    this.reader = CompareRunsPanel.reader;
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'activity.svg');
    panel.webview.html = webviewHtml(panel.webview, context.extensionUri, 'compareRuns', TITLE);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      runsChanged(() => this.refresh()),
    );
    // Reading starts now, while the webview loads its bundle, rather than when it says `ready`.
    this.refresh();
  }

  private receive(raw: unknown): void {
    const message = parseCompareRunsPanelMessage(raw);
    if (!message) {
      this.output.warn(`Compare Runs panel: ignored a message of unknown type or shape: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    if (message.type === 'ready') {
      this.ready = true;
      this.post();
      return;
    }
    // Only runs the panel was shown: the webview cannot make the host open an arbitrary path.
    if (!this.latest?.table.rows.some((row) => row.runDir === message.runDir)) {
      this.output.warn(`Compare Runs panel: ignored openResults for ${message.runDir}, which is not a run in the table`);
      return;
    }
    void vscode.commands.executeCommand(CommandId.OpenResults, message.runDir);
  }

  private refresh(): void {
    if (this.reading) {
      this.rereadQueued = true;
      return;
    }
    this.reading = this.read().finally(() => {
      this.reading = undefined;
      if (this.rereadQueued) {
        this.rereadQueued = false;
        this.refresh();
      }
    });
  }

  private async read(): Promise<void> {
    const runsDir = runsDirectory();
    try {
      this.latest = { runsDir, table: runsDir === undefined ? { columns: [], rows: [] } : await this.reader.read(runsDir) };
      this.failure = undefined;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.output.error(`Compare Runs panel: reading ${runsDir} failed: ${message}`);
      this.failure = { runsDir, message };
      this.post();
      return;
    }
    for (const row of this.latest.table.rows) {
      const line = row.problem && `Compare Runs: ${row.runId}: ${row.problem}`;
      if (line && !this.loggedProblems.has(line)) {
        this.loggedProblems.add(line);
        this.output.warn(line);
      }
    }
    this.post();
  }

  private post(): void {
    if (!this.ready) return;
    if (this.latest) {
      const snapshot: HostToCompareRunsPanel = { type: 'snapshot', state: this.latest };
      void this.panel.webview.postMessage(snapshot);
    }
    if (this.failure) {
      const error: HostToCompareRunsPanel = { type: 'error', ...this.failure };
      void this.panel.webview.postMessage(error);
    }
  }

  dispose(): void {
    if (CompareRunsPanel.current === this) CompareRunsPanel.current = undefined;
    for (const disposable of this.disposables) disposable.dispose();
    this.disposables.length = 0;
  }
}
