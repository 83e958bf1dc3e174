import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { readCheckpointDiffReport } from '../../checkpointDiff/readDiffReport';
import type { CheckpointDiffReport } from '../../checkpointDiff/reportFormat';
import { DIFFS_FOLDER, diffReportFile, diffReportPairLabel } from '../../checkpointDiff/runCheckpoints';
import { RunFileError } from '../../runFolder/jsonShape';
import { RUN_FILES } from '../../runFolder/runFolderFormat';
import {
  CHECKPOINT_DIFF_PANEL_VIEW_TYPE,
  parseCheckpointDiffPanelMessage,
  parseCheckpointDiffPanelPersistedState,
  type CheckpointDiffPanelToHost,
  type HostToCheckpointDiffPanel,
} from '../../protocol/checkpointDiffMessages';
import type { PanelRequest } from '../../protocol/panelMessages';
import { CommandId } from '../commands/commandId';
import { UntrustedWorkspaceError } from '../processes/trainerProcess';
import { newPanel, OpenPanels, PanelHost, panelOptions, restoringSerializer } from './panelHost';

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
  const isRun = await stat(path.join(runDir, RUN_FILES.status)).then(
    (info) => info.isFile(),
    () => false,
  );
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
export class CheckpointDiffPanel extends PanelHost<HostToCheckpointDiffPanel, CheckpointDiffPanelToHost> {
  private static readonly open = new OpenPanels<CheckpointDiffPanel>();
  /** Whether the last read of the report gave a valid report: only then may `openReport` open it. */
  private shown = false;

  static show(deps: CheckpointDiffPanelDeps, reportFile: string): CheckpointDiffPanel {
    const existing = CheckpointDiffPanel.open.reveal(reportFile);
    // The command may just have rewritten the report.
    existing?.update();
    return (
      existing ??
      new CheckpointDiffPanel(deps, reportFile, newPanel(CHECKPOINT_DIFF_PANEL_VIEW_TYPE, titleFor(reportFile), panelOptions(deps.context.extensionUri)))
    );
  }

  static serializer(deps: CheckpointDiffPanelDeps): vscode.WebviewPanelSerializer {
    return restoringSerializer('Checkpoint diff panel', deps.output, parseCheckpointDiffPanelPersistedState, async (panel, persisted) => {
      const refused = await whyNotRestorable(persisted.reportFile);
      if (refused) return refused;
      panel.webview.options = panelOptions(deps.context.extensionUri);
      new CheckpointDiffPanel(deps, persisted.reportFile, panel);
    });
  }

  private constructor(
    { context, output }: CheckpointDiffPanelDeps,
    readonly reportFile: string,
    panel: vscode.WebviewPanel,
  ) {
    super(panel, {
      extensionUri: context.extensionUri,
      output,
      entry: 'checkpointDiff',
      title: titleFor(reportFile),
      logName: `Checkpoint diff panel (${reportFile})`,
      parse: parseCheckpointDiffPanelMessage,
      openAs: { panels: CheckpointDiffPanel.open, key: reportFile },
    });
  }

  /** Whether a `recompute` request is being carried out: a second one waits for it rather than start another diff. */
  private recomputing = false;

  /**
   * `openReport` opens the panel's own report, `recompute` runs KD-UDA: Compare Checkpoints again
   * for the two checkpoints that report compares: paths only ever from the file this panel read,
   * never from the message.
   */
  protected receive(message: PanelRequest<CheckpointDiffPanelToHost>): void {
    if (!this.shown) {
      this.output.warn(`${this.logName}: not acting on ${message.type}: the report is not a valid report`);
      return;
    }
    if (message.type === 'openReport') void vscode.window.showTextDocument(vscode.Uri.file(this.reportFile));
    else void this.recompute();
  }

  private async recompute(): Promise<void> {
    if (this.recomputing) return;
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(new UntrustedWorkspaceError('Computing the diff again').message);
      return;
    }
    this.recomputing = true;
    try {
      let report: CheckpointDiffReport;
      try {
        report = await readCheckpointDiffReport(this.reportFile);
      } catch (error) {
        this.output.warn(`${this.logName}: cannot compute the diff again: ${error instanceof Error ? error.message : String(error)}`);
        void vscode.window.showErrorMessage(`KD-UDA: ${publicReason(this.reportFile, error)}`);
        return;
      }
      // The report sits in <run>/diffs/ (checked before it was shown): the same run folder gets the new one.
      const runDir = path.dirname(path.dirname(this.reportFile));
      const [a, b] = [report.a.dir, report.b.dir];
      const next = diffReportFile(runDir, a, b);
      this.output.info(`${this.logName}: computing the diff again for ${a} (A) and ${b} (B)${next === this.reportFile ? '' : `, into ${next}`}`);
      await vscode.commands.executeCommand(CommandId.CompareCheckpoints, runDir, { a, b });
    } finally {
      this.recomputing = false;
    }
  }

  protected async sendState(): Promise<void> {
    try {
      const report = await readCheckpointDiffReport(this.reportFile);
      this.shown = true;
      this.post({ type: 'snapshot', reportFile: this.reportFile, report });
    } catch (error) {
      this.shown = false;
      this.output.warn(`Checkpoint diff panel: cannot read the diff report ${this.reportFile}: ${error instanceof Error ? error.message : String(error)}`);
      this.post({ type: 'error', reportFile: this.reportFile, message: publicReason(this.reportFile, error) });
    }
  }
}
