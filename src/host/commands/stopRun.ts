import * as vscode from 'vscode';
import { readStatusJson } from '../../runFolder/readRunFiles';
import type { ActiveRun, ActiveRuns } from '../runsView/activeRuns';
import type { RunNode } from '../runsView/runsTreeProvider';
import type { SlurmRuns } from '../slurm/slurmRuns';

/**
 * KD-UDA: Stop Run — asks runs to finish their step, write a checkpoint and mark themselves
 * stopped: SIGTERM to a trainer here (killed if it has not exited after the timeout), scancel for a
 * Slurm job (Slurm sends the trainer SIGTERM). From a run in the Runs view it stops that run,
 * including a job submitted before a window reload; from the palette, runs of this window.
 */
export function stopRunCommand(activeRuns: ActiveRuns, slurm: SlurmRuns) {
  return async (target?: RunNode): Promise<{ stopped: number }> => {
    if (target && typeof target === 'object' && 'run' in target) return { stopped: await stopListedRun(target.run.dir, activeRuns, slurm) };
    const runs = activeRuns.list();
    if (runs.length === 0) {
      void vscode.window.showInformationMessage('KD-UDA: no run started from this window is running.');
      return { stopped: 0 };
    }
    let chosen: ActiveRun[] = runs;
    if (runs.length > 1) {
      const picked = await vscode.window.showQuickPick(
        runs.map((run) => ({ label: run.label, description: `${run.progress?.summary ?? 'starting'} · ${run.execution.where}`, run })),
        { title: 'KD-UDA: Stop Run', canPickMany: true, placeHolder: 'Runs to stop' },
      );
      chosen = (picked ?? []).map((item) => item.run);
    }
    await Promise.all(chosen.map((run) => run.execution.stop()));
    return { stopped: chosen.length };
  };
}

async function stopListedRun(runDir: string, activeRuns: ActiveRuns, slurm: SlurmRuns): Promise<number> {
  const active = activeRuns.list().find((run) => run.runDir === runDir);
  if (active) {
    await active.execution.stop();
    return 1;
  }
  const status = await readStatusJson(runDir).catch(() => undefined);
  if (status?.slurm && (status.state === 'queued' || status.state === 'running')) {
    await slurm.cancel(status.slurm.jobId);
    return 1;
  }
  void vscode.window.showInformationMessage(
    `KD-UDA: ${runDir} is not running from this window or on Slurm; a trainer started in a terminal stops with Ctrl-C there.`,
  );
  return 0;
}
