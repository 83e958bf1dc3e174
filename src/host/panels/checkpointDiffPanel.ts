import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { readCheckpointDiffReport } from '../../checkpointDiff/readDiffReport';
import { DIFFS_FOLDER, diffReportPairLabel } from '../../checkpointDiff/runCheckpoints';
import { RunFileError } from '../../runFolder/jsonShape';
import { RUN_FILES } from '../../runFolder/runFolderFormat';
import {
  CHECKPOINT_DIFF_PANEL_VIEW_TYPE,
  parseCheckpointDiffPanelMessage,
  parseCheckpointDiffPanelPersistedState,
  type HostToCheckpointDiffPanel,
} from '../../protocol/checkpointDiffMessages';
import { panelOptions, restoringSerializer } from './panelOptions';
import { webviewHtml } from './webviewHtml';

export interface CheckpointDiffPanelDeps {
  context: vscode.ExtensionContext;
  output: vscode.LogOutputChannel;
}

/** `Diff: student-epoch-3 ↔ teacher-epoch-3` from `<A>--<B>.<hash>.json`. */
function titleFor(reportFile: string): string {
  return `Diff: ${diffReportPairLabel(reportFile).join(' ↔ ')}`;
}

/**
 * Why a report path saved by a webview is not one to restore, or undefined when it is: it must be
 * `<run>/diffs/<name>.json` where `<run>` is a run folder (has status.json). The webview's state is
 * not trusted, so this is checked before the file is read or offered to open.
 */
async function whyNotRestorable(reportFile: string): Promise<string | undefined> {
  const diffs = path.dirname(reportFile);
  if (!path.isAbsolute(reportFile) || path.extname(reportFile) !== '.json' || path.basename(diffs) !== DIFFS_FOLDER) {
    return `${reportFile} is not a diff report (<run>/${DIFFS_FOLDER}/<name>.json)`;
  }
  const runDir = path.dirname(diffs);
  const isRun = await stat(path.join(runDir, RUN_FILES.status)).then((info) => info.isFile(), () => false);
  return isRun ? undefined : `${reportFile} is not in a run folder's ${DIFFS_FOLDER}/ (${runDir} has no ${RUN_FILES.status})`;
}

/**
 * What the webview is told when a report cannot be shown. Never the reader's own message, which
 * can quote the file's first characters: the details go to the log.
 */
function publicReason(reportFile: string, error: unknown): string {
  const name = path.basename(reportFile);
  const problem = error instanceof RunFileError ? error.problem : undefined;
  if (problem === 'missing') return `cannot read the report ${name}: it no longer exists`;
  if (problem === 'version') return `cannot read the report ${name}: it was written by a newer KD-UDA Lab. Update the extension, or compute the diff again.`;
  return `cannot read the report ${name}: not a valid report`;
}

/**
 * One panel per diff report (`<run>/diffs/<A>--<B>.<hash>.json`, written by `kd-uda diff`): it only
 * reads that file, so a reload restores it from the path alone, once checked, without evaluating
 * anything again.
 */
export class CheckpointDiffPanel implements vscode.Disposable {
  private static readonly open = new Map<string, CheckpointDiffPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  /** Whether the last read of the report gave a valid report: only then may `openReport` open it. */
  private shown = false;

  static show(deps: CheckpointDiffPanelDeps, reportFile: string): CheckpointDiffPanel {
    const existing = CheckpointDiffPanel.open.get(reportFile);
    if (existing) {
      existing.panel.reveal();
      // The command may just have rewritten the report.
      void existing.post();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(CHECKPOINT_DIFF_PANEL_VIEW_TYPE, titleFor(reportFile), vscode.ViewColumn.Active, panelOptions(deps.context.extensionUri));
    return new CheckpointDiffPanel(deps, reportFile, panel);
  }

  static serializer(deps: CheckpointDiffPanelDeps): vscode.WebviewPanelSerializer {
    return restoringSerializer('Checkpoint diff panel', deps.output, parseCheckpointDiffPanelPersistedState, async (panel, persisted) => {
      const refused = await whyNotRestorable(persisted.reportFile);
      if (refused) return refused;
      panel.webview.options = panelOptions(deps.context.extensionUri);
      new CheckpointDiffPanel(deps, persisted.reportFile, panel);
    });
  }

  private readonly output: vscode.LogOutputChannel;

  private constructor(
    { context, output }: CheckpointDiffPanelDeps,
    readonly reportFile: string,
    readonly panel: vscode.WebviewPanel,
  ) {
    this.output = output;
    CheckpointDiffPanel.open.set(reportFile, this);
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'activity.svg');
    panel.webview.html = webviewHtml(panel.webview, context.extensionUri, 'checkpointDiff', titleFor(reportFile));
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
    );
  }

  private receive(raw: unknown): void {
    const message = parseCheckpointDiffPanelMessage(raw);
    if (!message) {
      this.output.warn(`Checkpoint diff panel (${this.reportFile}): ignored a message of unknown type or shape: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    if (message.type === 'ready') {
      this.ready = true;
      void this.post();
    } else if (this.shown) {
      // Always the panel's own report, never a path from the message.
      void vscode.window.showTextDocument(vscode.Uri.file(this.reportFile));
    } else {
      this.output.warn(`Checkpoint diff panel (${this.reportFile}): not opening the report, which is not a valid report`);
    }
  }

  private async post(): Promise<void> {
    if (!this.ready) return;
    let message: HostToCheckpointDiffPanel;
    try {
      message = { type: 'snapshot', reportFile: this.reportFile, report: await readCheckpointDiffReport(this.reportFile) };
    } catch (error) {
      this.output.warn(`Checkpoint diff panel: cannot read the diff report ${this.reportFile}: ${error instanceof Error ? error.message : String(error)}`);
      message = { type: 'error', reportFile: this.reportFile, message: publicReason(this.reportFile, error) };
    }
    this.shown = message.type === 'snapshot';
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    CheckpointDiffPanel.open.delete(this.reportFile);
    for (const disposable of this.disposables) disposable.dispose();
    this.disposables.length = 0;
  }
}
