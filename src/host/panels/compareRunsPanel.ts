import * as vscode from 'vscode';
import path from 'node:path';
import {
  COMPARE_RUNS_PANEL_VIEW_TYPE,
  parseCompareRunsPanelMessage,
  parseCompareRunsPanelPersistedState,
  type CompareRunsPanelToHost,
  type HostToCompareRunsPanel,
} from '../../protocol/compareRunsMessages';
import type { PanelRequest } from '../../protocol/panelMessages';
import { RunComparisonReader } from '../../runComparison/readRunComparison';
import type { ComparisonTable } from '../../runComparison/runComparison';
import { CommandId } from '../commands/commandId';
import type { GroupedRunsExport } from '../commands/exportResults';
import { runsDirectory } from '../runsView/runsDirectory';
import { newPanel, OpenPanels, PanelHost, panelOptions, restoringSerializer } from './panelHost';

export interface CompareRunsPanelDeps {
  context: vscode.ExtensionContext;
  output: vscode.LogOutputChannel;
  /** Fires when run folders appear, change state or finish (the Runs view's debounced watcher). */
  runsChanged: vscode.Event<unknown>;
}

const TITLE = 'Compare Runs';
/** The key of the one panel, which shows whichever runs folder the settings name. */
const RUNS_FOLDER = 'runs folder';

/**
 * One panel: every run in the runs folder as a row of one table. The host reads the folders and
 * sends the whole table; the webview sorts and filters it. The table is re-read whenever the Runs
 * view sees the runs folder change, so runs finishing or started from a terminal appear live.
 */
export class CompareRunsPanel extends PanelHost<HostToCompareRunsPanel, CompareRunsPanelToHost> {
  private static readonly open = new OpenPanels<CompareRunsPanel>();
  /** Kept across panels (and, in the workspace's storage, across windows): reopening re-reads only the run folders that changed. */
  private static reader: RunComparisonReader | undefined;
  private latest: { runsDir?: string; table: ComparisonTable } | undefined;
  /** Why the last read failed, until one succeeds: shown instead of a panel that never fills. */
  private failure: { runsDir?: string; message: string } | undefined;
  /** The read in flight; a change during it queues exactly one more. */
  private reading: Promise<void> | undefined;
  private rereadQueued = false;
  /** Problems already logged, so a refresh does not repeat them. */
  private readonly loggedProblems = new Set<string>();

  static show(deps: CompareRunsPanelDeps): CompareRunsPanel {
    return (
      CompareRunsPanel.open.reveal(RUNS_FOLDER) ??
      new CompareRunsPanel(deps, newPanel(COMPARE_RUNS_PANEL_VIEW_TYPE, TITLE, panelOptions(deps.context.extensionUri)))
    );
  }

  /** Restores the panel after a reload; its sort, filter and columns live in the webview's own state, which any state parses to. */
  static serializer(deps: CompareRunsPanelDeps): vscode.WebviewPanelSerializer {
    return restoringSerializer('Compare Runs panel', deps.output, parseCompareRunsPanelPersistedState, (panel) => {
      CompareRunsPanel.open.get(RUNS_FOLDER)?.panel.dispose();
      panel.webview.options = panelOptions(deps.context.extensionUri);
      new CompareRunsPanel(deps, panel);
    });
  }

  private readonly reader: RunComparisonReader;

  private constructor({ context, output, runsChanged }: CompareRunsPanelDeps, panel: vscode.WebviewPanel) {
    super(panel, {
      extensionUri: context.extensionUri,
      output,
      entry: 'compareRuns',
      title: TITLE,
      logName: 'Compare Runs panel',
      parse: parseCompareRunsPanelMessage,
      openAs: { panels: CompareRunsPanel.open, key: RUNS_FOLDER },
    });
    const cacheFile = context.storageUri && path.join(context.storageUri.fsPath, 'compare-runs-cache.json');
    CompareRunsPanel.reader ??= new RunComparisonReader(cacheFile, (message) => output.warn(message));
    this.reader = CompareRunsPanel.reader;
    this.disposables.push(runsChanged(() => this.refresh()));
    // Reading starts now, while the webview loads its bundle, rather than when it says `ready`.
    this.refresh();
  }

  protected receive(message: PanelRequest<CompareRunsPanelToHost>): void {
    if (message.type === 'exportGrouped') {
      this.exportGrouped(message.runDirs, message.columns);
      return;
    }
    // Only runs the panel was shown: the webview cannot make the host open an arbitrary path.
    if (!this.latest?.table.rows.some((row) => row.runDir === message.runDir)) {
      this.output.warn(`${this.logName}: ignored openResults for ${message.runDir}, which is not a run in the table`);
      return;
    }
    void vscode.commands.executeCommand(CommandId.OpenResults, message.runDir);
  }

  /**
   * Export Results on the runs shown, grouped: the rows come from the host's own snapshot (a run
   * gone since the webview's is left out), so the numbers written are the ones read from disk.
   */
  private exportGrouped(runDirs: readonly string[], columns: string[]): void {
    const table = this.latest?.table;
    const byDir = new Map(table?.rows.map((row) => [row.runDir, row]));
    const rows = [...new Set(runDirs)].flatMap((runDir) => byDir.get(runDir) ?? []);
    if (!table || rows.length === 0) {
      this.output.warn(`${this.logName}: ignored exportGrouped: none of its ${runDirs.length} runs is in the table`);
      return;
    }
    const request: GroupedRunsExport = { kind: 'groupedRuns', table: { columns: table.columns, rows }, columns };
    void vscode.commands.executeCommand(CommandId.ExportResults, request);
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
      this.output.error(`${this.logName}: reading ${runsDir} failed: ${message}`);
      this.failure = { runsDir, message };
      this.update();
      return;
    }
    for (const row of this.latest.table.rows) {
      const line = row.problem && `Compare Runs: ${row.runId}: ${row.problem}`;
      if (line && !this.loggedProblems.has(line)) {
        this.loggedProblems.add(line);
        this.output.warn(line);
      }
    }
    this.update();
  }

  protected sendState(): void {
    if (this.latest) this.post({ type: 'snapshot', state: this.latest });
    if (this.failure) this.post({ type: 'error', ...this.failure });
  }
}
