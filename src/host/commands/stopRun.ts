import * as vscode from 'vscode';
import type { ActiveRun, ActiveRuns } from '../runsView/activeRuns';

/**
 * KD-UDA: Stop Run — SIGTERM, so the trainer finishes its step, writes a checkpoint and marks the
 * run stopped; killed if it has not exited after the timeout.
 */
export function stopRunCommand(activeRuns: ActiveRuns) {
  return async (): Promise<{ stopped: number }> => {
    const runs = activeRuns.list();
    if (runs.length === 0) {
      void vscode.window.showInformationMessage('KD-UDA: no run started from this window is running.');
      return { stopped: 0 };
    }
    let chosen: ActiveRun[] = runs;
    if (runs.length > 1) {
      const picked = await vscode.window.showQuickPick(
        runs.map((run) => ({ label: run.label, description: run.progress?.summary ?? 'starting', run })),
        { title: 'KD-UDA: Stop Run', canPickMany: true, placeHolder: 'Runs to stop' },
      );
      chosen = (picked ?? []).map((item) => item.run);
    }
    await Promise.all(chosen.map((run) => run.execution.stop()));
    return { stopped: chosen.length };
  };
}
