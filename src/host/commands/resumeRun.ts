import * as vscode from 'vscode';
import path from 'node:path';
import { reportWhenDone, type ActiveRuns } from '../runs/activeRuns';
import { pickRun } from '../runs/pickRun';
import type { RunNode } from '../runs/runsTreeProvider';
import { TrainerProcess } from '../trainer/trainerProcess';

/** KD-UDA: Resume Run — continues a stopped or failed run from its last checkpoint, on the same schedule. */
export function resumeRunCommand(extensionUri: vscode.Uri, activeRuns: ActiveRuns) {
  return async (target?: RunNode | string): Promise<{ started: boolean; reason?: string }> => {
    const runDir = await pickRun(target, 'KD-UDA: Resume Run', ['stopped', 'failed']);
    if (!runDir) return { started: false, reason: 'no run chosen' };
    let trainer: TrainerProcess;
    try {
      trainer = TrainerProcess.start(extensionUri, ['train', '--resume', runDir], { what: 'Resuming a run', cwd: runDir });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      void vscode.window.showErrorMessage(reason);
      return { started: false, reason };
    }
    reportWhenDone(activeRuns.add(path.basename(runDir), trainer));
    return { started: true };
  };
}
