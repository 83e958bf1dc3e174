import * as vscode from 'vscode';
import path from 'node:path';
import { RUN_FILES } from '../../runFolder/runFolderFormat';
import { pickRun } from '../runsView/pickRun';
import type { RunNode } from '../runsView/runsTreeProvider';

/** KD-UDA: Show Trainer Log — a run's trainer.log in an editor (it grows while the run trains). */
export function showTrainerLogCommand() {
  return async (target?: RunNode | string): Promise<vscode.TextEditor | undefined> => {
    const runDir = await pickRun(target, 'KD-UDA: Show Trainer Log');
    if (!runDir) return undefined;
    try {
      return await vscode.window.showTextDocument(vscode.Uri.file(path.join(runDir, RUN_FILES.log)), { preview: true });
    } catch (error) {
      void vscode.window.showErrorMessage(`KD-UDA: cannot open ${path.join(runDir, RUN_FILES.log)}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };
}
