import * as vscode from 'vscode';
import path from 'node:path';
import { launchRun, type ActiveRuns, type LaunchResult } from '../runsView/activeRuns';
import { pickRun } from '../runsView/pickRun';
import type { RunNode } from '../runsView/runsTreeProvider';
import { TrainerProcess } from '../processes/trainerProcess';

/** KD-UDA: Resume Run — continues a stopped or failed run from its last checkpoint, on the same schedule. */
export function resumeRunCommand(extensionUri: vscode.Uri, activeRuns: ActiveRuns) {
  return async (target?: RunNode | string): Promise<LaunchResult> => {
    const runDir = await pickRun(target, 'KD-UDA: Resume Run', ['stopped', 'failed']);
    if (!runDir) return { started: false, reason: 'no run chosen' };
    const label = path.basename(runDir);
    return launchRun(activeRuns, label, () => TrainerProcess.start(extensionUri, ['train', '--resume', runDir], { what: 'Resuming a run', cwd: runDir }));
  };
}
