import * as vscode from 'vscode';
import { pickRun } from '../runsView/pickRun';
import type { RunNode } from '../runsView/runsTreeProvider';

/**
 * KD-UDA: Reveal in Explorer — selects a run folder in the Explorer view, which shows only the
 * workspace's folders: a runs directory outside them is said so, not silently ignored.
 */
export function revealRunCommand() {
  return async (target?: RunNode | string | vscode.Uri): Promise<boolean> => {
    const runDir = await pickRun(target, 'KD-UDA: Reveal in Explorer');
    if (!runDir) return false;
    const uri = vscode.Uri.file(runDir);
    if (!vscode.workspace.getWorkspaceFolder(uri)) {
      void vscode.window.showInformationMessage(
        `KD-UDA: ${runDir} is outside this workspace's folders, which are all the Explorer shows (kdUda.runsDirectory says where runs go).`,
      );
      return false;
    }
    await vscode.commands.executeCommand('revealInExplorer', uri);
    return true;
  };
}
