import * as vscode from 'vscode';
import { watch, type FSWatcher } from 'chokidar';
import path from 'node:path';
import {
  RESULTS_PANEL_VIEW_TYPE,
  type BaselineRow,
  parseResultsPanelMessage,
  parseResultsPanelPersistedState,
  type HostToResultsPanel,
  type ResultsPanelState,
} from '../../protocol/resultsMessages';
import { findBaselines } from '../../runComparison/baselineRuns';
import { summariseRun } from '../../runComparison/runSummary';
import { readEvents } from '../../runFolder/eventLog';
import { RunFileError } from '../../runFolder/jsonShape';
import { readRunStatus } from '../../runFolder/listRuns';
import { readResultsJson } from '../../runFolder/readRunFiles';
import type { RunResults } from '../../runFolder/results';
import { RUN_FILES } from '../../runFolder/runFolderFormat';
import { KeyedDebouncer } from '../../util/debounce';
import { LatestOnly } from '../../util/latestOnly';
import { panelOptions, restoringSerializer } from './panelOptions';
import { webviewHtml } from './webviewHtml';

export interface ResultsPanelDeps {
  context: vscode.ExtensionContext;
  output: vscode.LogOutputChannel;
}

/**
 * One panel per run: the per-target accuracy table and learning curves, updated as the trainer
 * appends events. Reads only the run folder, so a run from a terminal shows the same.
 */
export class ResultsPanel implements vscode.Disposable {
  private static readonly open = new Map<string, ResultsPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly watcher: FSWatcher;
  private readonly debouncer = new KeyedDebouncer<'run'>(250, () => {
    this.pending = undefined;
    void this.post();
  });
  private ready = false;
  /** The first snapshot, read while the webview loads its bundle rather than after it says `ready`. */
  private pending: Promise<ResultsPanelState> | undefined;
  private baselines: BaselineRow[] = [];
  /** The baselines read, the debouncer and `ready` each post: only the newest read started is shown. */
  private readonly reads = new LatestOnly();
  private disposed = false;

  static show(deps: ResultsPanelDeps, runDir: string): ResultsPanel {
    const existing = ResultsPanel.open.get(runDir);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(RESULTS_PANEL_VIEW_TYPE, `Results: ${path.basename(runDir)}`, vscode.ViewColumn.Active, panelOptions(deps.context.extensionUri));
    return new ResultsPanel(deps, runDir, panel);
  }

  static serializer(deps: ResultsPanelDeps): vscode.WebviewPanelSerializer {
    return restoringSerializer('Results panel', deps.output, parseResultsPanelPersistedState, (panel, persisted) => {
      panel.webview.options = panelOptions(deps.context.extensionUri);
      new ResultsPanel(deps, persisted.runDir, panel);
    });
  }

  private readonly output: vscode.LogOutputChannel;

  private constructor(
    { context, output }: ResultsPanelDeps,
    readonly runDir: string,
    readonly panel: vscode.WebviewPanel,
  ) {
    this.output = output;
    ResultsPanel.open.set(runDir, this);
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'activity.svg');
    panel.webview.html = webviewHtml(panel.webview, context.extensionUri, 'results', `Results: ${path.basename(runDir)}`, ['dist/webview/results.css', 'media/panel.css', 'media/results.css']);
    this.watcher = watch(runDir, { ignoreInitial: true, depth: 0 });
    this.watcher.on('all', (_event, file) => {
      if ([RUN_FILES.events, RUN_FILES.status, RUN_FILES.results].includes(path.basename(file) as never)) this.debouncer.trigger('run');
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
    );
    this.pending = this.read();
    // Its failure surfaces when `ready` awaits it; until then it is not an unhandled rejection.
    this.pending.catch(() => undefined);
    void this.readBaselines();
  }

  /**
   * Baselines come from other run folders (every experiment.json of the runs folder), so they
   * follow the first paint rather than delay it, and are read once per panel.
   */
  private async readBaselines(): Promise<void> {
    try {
      const found = await findBaselines(this.runDir, path.dirname(this.runDir));
      this.baselines = found.map(({ label, runId, model }) => ({
        label,
        runId,
        targets: Object.fromEntries(model.targets.map((target) => [target.domain, target.accuracy])),
        meanTarget: model.meanTarget,
        ...(model.parameters === undefined ? {} : { parameters: model.parameters, macsPerImage: model.macsPerImage }),
      }));
    } catch (error) {
      this.output.warn(`Results panel (${this.runDir}): baselines not read: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (this.baselines.length) void this.post();
  }

  private receive(raw: unknown): void {
    const message = parseResultsPanelMessage(raw);
    if (!message) {
      this.output.warn(`Results panel (${this.runDir}): ignored a message of unknown type or shape: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    if (message.type === 'ready') {
      this.ready = true;
      void this.post();
    } else {
      void vscode.window.showTextDocument(vscode.Uri.file(path.join(this.runDir, RUN_FILES.log)));
    }
  }

  private async post(): Promise<void> {
    if (!this.ready) return;
    // The first snapshot's read is used once, whatever it gave: a rejected one is not awaited again.
    const reading = this.pending ?? this.read();
    this.pending = undefined;
    await this.reads.run(
      () => reading,
      (outcome) => {
        if (this.disposed) return;
        let message: HostToResultsPanel;
        if (outcome.ok) {
          message = { type: 'snapshot', state: { ...outcome.value, baselines: this.baselines } };
        } else {
          const reason = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
          this.output.error(`Results panel (${this.runDir}): reading the run failed: ${reason}`);
          message = { type: 'error', runDir: this.runDir, message: reason };
        }
        void this.panel.webview.postMessage(message);
      },
    );
  }

  private async read(): Promise<ResultsPanelState> {
    const [status, events, results] = await Promise.all([readRunStatus(this.runDir), readEvents(path.join(this.runDir, RUN_FILES.events)), this.readResults()]);
    for (const bad of events.badLines) this.output.warn(`Results panel: skipped ${bad.message}`);
    return summariseRun({ runId: path.basename(this.runDir), runDir: this.runDir }, status, events, results);
  }

  /** Costs and the targets come from results.json once there is one; until then, or when it cannot be read, from the events. */
  private async readResults(): Promise<RunResults | undefined> {
    try {
      return await readResultsJson(this.runDir);
    } catch (error) {
      if (!(error instanceof RunFileError && error.problem === 'missing')) this.output.warn(`Results panel: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  dispose(): void {
    this.disposed = true;
    ResultsPanel.open.delete(this.runDir);
    this.debouncer.dispose();
    void this.watcher.close();
    for (const disposable of this.disposables) disposable.dispose();
    this.disposables.length = 0;
  }
}
