import * as vscode from 'vscode';
import path from 'node:path';
import { formatExperimentProblem, validateExperimentText } from '../../experiment/validateExperiment';
import { launchRun, type ActiveRuns, type LaunchResult } from '../runsView/activeRuns';
import { runsDirectory } from '../runsView/runsDirectory';
import { TrainerProcess, UntrustedWorkspaceError } from '../processes/trainerProcess';

export type StartRunResult = LaunchResult;

async function pickExperiment(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && active.path.endsWith('.kdexp.json')) return active;
  const files = await vscode.workspace.findFiles('**/*.kdexp.json', '**/node_modules/**', 200);
  if (files.length === 0) {
    void vscode.window.showInformationMessage('KD-UDA: no *.kdexp.json experiment file in this workspace.');
    return undefined;
  }
  if (files.length === 1) return files[0];
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri), uri })),
    { title: 'KD-UDA: Start Run', placeHolder: 'Experiment to run' },
  );
  return picked?.uri;
}

/**
 * KD-UDA: Start Run — validates the experiment (problems go to the user, nothing is spawned), then
 * starts `kd-uda train` in a child process writing into the runs directory.
 */
export function startRunCommand(extensionUri: vscode.Uri, activeRuns: ActiveRuns) {
  return async (target?: vscode.Uri): Promise<StartRunResult> => {
    const uri = target instanceof vscode.Uri ? target : await pickExperiment();
    if (!uri) return { started: false, reason: 'no experiment chosen' };
    const document = await vscode.workspace.openTextDocument(uri);
    const validation = validateExperimentText(document.getText(), uri.fsPath);
    if (!validation.ok) {
      const lines = validation.problems.map((problem) => formatExperimentProblem(vscode.workspace.asRelativePath(uri), problem));
      void vscode.window
        .showErrorMessage(
          `KD-UDA: ${path.basename(uri.fsPath)} has ${lines.length} ${lines.length === 1 ? 'problem' : 'problems'}; nothing was started. ${lines.slice(0, 3).join(' · ')}`,
          'Open File',
        )
        .then((choice) => {
          if (choice) void vscode.window.showTextDocument(document);
        });
      return { started: false, reason: lines.join('\n') };
    }
    if (document.isDirty) await document.save();
    const runsDir = runsDirectory();
    if (!runsDir) return { started: false, reason: 'no workspace folder to hold the runs directory' };
    if (!vscode.workspace.isTrusted) {
      const reason = new UntrustedWorkspaceError('Starting a training run').message;
      void vscode.window.showWarningMessage(reason);
      return { started: false, reason };
    }
    const label = path.basename(uri.fsPath, '.kdexp.json');
    return launchRun(activeRuns, label, () =>
      TrainerProcess.start(extensionUri, ['train', uri.fsPath, '--runs-dir', runsDir], { what: 'Starting a training run', cwd: path.dirname(uri.fsPath) }),
    );
  };
}
