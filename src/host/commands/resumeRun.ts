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
    const label = path.basename(runDir);
    return new Promise((resolve) => {
      const place = activeRuns.startOrQueue({
        label,
        start: () => TrainerProcess.start(extensionUri, ['train', '--resume', runDir], { what: 'Resuming a run', cwd: runDir }),
        started: (run) => {
          if (run instanceof Error) {
            void vscode.window.showErrorMessage(run.message);
            resolve({ started: false, reason: run.message });
            return;
          }
          reportWhenDone(run);
          resolve({ started: true });
        },
      });
      if (place > 0) resolve({ started: false, reason: `queued (${place} waiting)` });
    });
  };
}
