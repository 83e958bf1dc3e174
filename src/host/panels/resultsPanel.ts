import * as vscode from 'vscode';
import { watch, type FSWatcher } from 'chokidar';
import path from 'node:path';
import type { PanelRequest } from '../../protocol/panelMessages';
import {
  RESULTS_PANEL_VIEW_TYPE,
  type BaselineRow,
  parseResultsPanelMessage,
  parseResultsPanelPersistedState,
  type HostToResultsPanel,
  type ResultsPanelState,
  type ResultsProgressMessage,
  type ResultsPanelToHost,
} from '../../protocol/resultsMessages';
import { findBaselines, lacksSourceOnlyBaseline } from '../../runComparison/baselineRuns';
import { summariseRun } from '../../runComparison/runSummary';
import { readEvents } from '../../runFolder/eventLog';
import { RunFileError } from '../../runFolder/jsonShape';
import { readRunStatus } from '../../runFolder/listRuns';
import { readResultsJson } from '../../runFolder/readRunFiles';
import type { RunResults } from '../../runFolder/results';
import { RUN_FILES } from '../../runFolder/runFolderFormat';
import { CommandId } from '../commands/commandId';
import { latestSessionProgress } from '../../runComparison/sessionProgress';
import { KeyedDebouncer } from '../../util/debounce';
import { LatestOnly } from '../../util/latestOnly';
import { newPanel, OpenPanels, PanelHost, panelOptions, restoringSerializer } from './panelHost';

/** One read of the run folder: the run's summary and where its trainer stands inside an epoch. */
interface RunRead {
  summary: ResultsPanelState;
  progress: ResultsProgressMessage;
}

export interface ResultsPanelDeps {
  context: vscode.ExtensionContext;
  output: vscode.LogOutputChannel;
}

function titleFor(runDir: string): string {
  return `Results: ${path.basename(runDir)}`;
}

/**
 * One panel per run: the per-target accuracy table and learning curves, updated as the trainer
 * appends events. Reads only the run folder, so a run from a terminal shows the same.
 */
export class ResultsPanel extends PanelHost<HostToResultsPanel, ResultsPanelToHost> {
  private static readonly open = new OpenPanels<ResultsPanel>();
  private readonly watcher: FSWatcher;
  // A running trainer appends step events faster than 250 ms apart: without a longest wait the panel would wait for a pause.
  private readonly debouncer = new KeyedDebouncer<'run'>(
    250,
    () => {
      this.pending = undefined;
      this.update();
    },
    1_000,
  );
  /** The first snapshot, read while the webview loads its bundle rather than after it says `ready`. */
  private pending: Promise<RunRead> | undefined;
  private baselines: BaselineRow[] = [];
  /** Set once the baselines are read: no source-only run of the student to judge this run against. */
  private missingSourceOnlyBaseline = false;
  /** The baselines read, the debouncer and `ready` each post: only the newest read started is shown. */
  private readonly reads = new LatestOnly();

  static show(deps: ResultsPanelDeps, runDir: string): ResultsPanel {
    return (
      ResultsPanel.open.reveal(runDir) ??
      new ResultsPanel(deps, runDir, newPanel(RESULTS_PANEL_VIEW_TYPE, titleFor(runDir), panelOptions(deps.context.extensionUri)))
    );
  }

  static serializer(deps: ResultsPanelDeps): vscode.WebviewPanelSerializer {
    return restoringSerializer('Results panel', deps.output, parseResultsPanelPersistedState, (panel, persisted) => {
      panel.webview.options = panelOptions(deps.context.extensionUri);
      new ResultsPanel(deps, persisted.runDir, panel);
    });
  }

  private constructor(
    { context, output }: ResultsPanelDeps,
    readonly runDir: string,
    panel: vscode.WebviewPanel,
  ) {
    super(panel, {
      extensionUri: context.extensionUri,
      output,
      entry: 'results',
      title: titleFor(runDir),
      stylesheets: ['media/panel.css', 'media/results.css', 'media/resultsCharts.css', 'media/resultsProgress.css'],
      logName: `Results panel (${runDir})`,
      parse: parseResultsPanelMessage,
      openAs: { panels: ResultsPanel.open, key: runDir },
    });
    this.watcher = watch(runDir, { ignoreInitial: true, depth: 0 });
    this.watcher.on('all', (_event, file) => {
      if ([RUN_FILES.events, RUN_FILES.status, RUN_FILES.results].includes(path.basename(file) as never)) this.debouncer.trigger('run');
    });
    this.disposables.push(this.debouncer, { dispose: () => void this.watcher.close() });
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
      this.missingSourceOnlyBaseline = await lacksSourceOnlyBaseline(this.runDir, found);
    } catch (error) {
      this.output.warn(`${this.logName}: baselines not read: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (this.baselines.length || this.missingSourceOnlyBaseline) this.update();
  }

  protected receive(message: PanelRequest<ResultsPanelToHost>): void {
    if (message.type === 'startSourceOnlyBaseline') void vscode.commands.executeCommand(CommandId.StartSourceOnlyBaseline, this.runDir);
    else void vscode.window.showTextDocument(vscode.Uri.file(path.join(this.runDir, RUN_FILES.log)));
  }

  protected async sendState(): Promise<void> {
    // The first snapshot's read is used once, whatever it gave: a rejected one is not awaited again.
    const reading = this.pending ?? this.read();
    this.pending = undefined;
    await this.reads.run(
      () => reading,
      (outcome) => {
        if (outcome.ok) {
          this.post({
            type: 'snapshot',
            state: { ...outcome.value.summary, baselines: this.baselines, missingSourceOnlyBaseline: this.missingSourceOnlyBaseline },
          });
          this.post(outcome.value.progress);
        } else {
          const reason = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
          this.output.error(`${this.logName}: reading the run failed: ${reason}`);
          this.post({ type: 'error', runDir: this.runDir, message: reason });
        }
      },
    );
  }

  private async read(): Promise<RunRead> {
    const [status, events, results] = await Promise.all([readRunStatus(this.runDir), readEvents(path.join(this.runDir, RUN_FILES.events)), this.readResults()]);
    for (const bad of events.badLines) this.output.warn(`Results panel: skipped ${bad.message}`);
    const summary = summariseRun({ runId: path.basename(this.runDir), runDir: this.runDir }, status, events, results);
    const running = summary.state === 'running';
    const training = running ? latestSessionProgress(events.events, Date.now()) : undefined;
    return { summary, progress: { type: 'progress', running, progress: training ?? null } };
  }

  /** Costs and the targets come from results.json once there is one; until then, or when it cannot be read, from the events. */
  private async readResults(): Promise<RunResults | undefined> {
    try {
      return await readResultsJson(this.runDir);
    } catch (error) {
      if (!(error instanceof RunFileError && error.problem === 'missing'))
        this.output.warn(`Results panel: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }
}
