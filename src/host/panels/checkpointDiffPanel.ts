import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCheckpointDiffReport } from '../../diff/reportFormat';
import {
  CHECKPOINT_DIFF_PANEL_VIEW_TYPE,
  parseCheckpointDiffPanelMessage,
  parseCheckpointDiffPanelPersistedState,
  type HostToCheckpointDiffPanel,
} from '../../protocol/checkpointDiffPanel';
import { panelOptions, restoringSerializer } from './panelOptions';
import { webviewHtml } from './webviewHtml';

export interface CheckpointDiffPanelDeps {
  context: vscode.ExtensionContext;
  output: vscode.LogOutputChannel;
}

/** `Diff: student-epoch-3 ↔ teacher-epoch-3` from `<A>--<B>.json`. */
function titleFor(reportFile: string): string {
  return `Diff: ${path.basename(reportFile, '.json').split('--').join(' ↔ ')}`;
}

/**
 * One panel per diff report (`<run>/diffs/<A>--<B>.json`, written by `kd-uda diff`): it only reads
 * that file, so a reload restores it from the path alone without evaluating anything again.
 */
export class CheckpointDiffPanel implements vscode.Disposable {
  private static readonly open = new Map<string, CheckpointDiffPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;

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
    return restoringSerializer('Checkpoint diff panel', deps.output, parseCheckpointDiffPanelPersistedState, (panel, persisted) => {
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
    } else {
      void vscode.window.showTextDocument(vscode.Uri.file(this.reportFile));
    }
  }

  private async post(): Promise<void> {
    if (!this.ready) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.reportFile, 'utf8'));
    } catch (error) {
      parsed = new Error(`cannot read the diff report ${this.reportFile}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const report = parsed instanceof Error ? parsed : parseCheckpointDiffReport(parsed, this.reportFile);
    if (report instanceof Error) this.output.warn(`Checkpoint diff panel: ${report.message}`);
    const message: HostToCheckpointDiffPanel = report instanceof Error ? { type: 'error', reportFile: this.reportFile, message: report.message } : { type: 'snapshot', reportFile: this.reportFile, report };
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    CheckpointDiffPanel.open.delete(this.reportFile);
    for (const disposable of this.disposables) disposable.dispose();
    this.disposables.length = 0;
  }
}
