import * as vscode from 'vscode';
import { pickRun } from '../runsView/pickRun';
import type { RunNode } from '../runsView/runsTreeProvider';

/**
 * KD-UDA: Reveal in File Manager — opens the operating system's file manager on a run folder
 * (VS Code's revealFileInOS, which desktop VS Code on the same machine as its files has; the menu
 * offers it only there).
 */
export function revealRunInOSCommand() {
  return async (target?: RunNode | string | vscode.Uri): Promise<void> => {
    const runDir = await pickRun(target, 'KD-UDA: Reveal in File Manager');
    if (runDir) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(runDir));
  };
}
