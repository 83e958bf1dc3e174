import * as vscode from 'vscode';
import path from 'node:path';
import { readRunStatus } from '../../runFolder/listRuns';
import { readRunExperimentName } from '../../runFolder/readRunExperimentName';
import type { ActiveRuns } from '../runsView/activeRuns';
import { pickRun } from '../runsView/pickRun';
import type { RunNode } from '../runsView/runsTreeProvider';

export interface DeleteRunResult {
  deleted: boolean;
  /** Why not, when not. */
  reason?: string;
  /** Where it went: the trash, or nowhere where this window has none and the user said so. */
  how?: 'trash' | 'permanently';
}

/** Why a run cannot be deleted now, or undefined: a trainer writes it, or one is about to. */
async function busy(runDir: string, activeRuns: ActiveRuns): Promise<string | undefined> {
  if (activeRuns.list().some((run) => run.runDir === runDir)) return 'it is running from this window';
  if (activeRuns.queued().some((run) => run.runDir === runDir)) return 'it waits in this window’s queue to start';
  const status = await readRunStatus(runDir);
  if (status.state === 'running') return 'it is running';
  if (status.state === 'queued' && status.slurm) return `its Slurm job ${status.slurm.jobId} is queued`;
  return undefined;
}

/**
 * KD-UDA: Delete Run — moves a run folder to the trash once the user confirms, naming the run;
 * never a run that a trainer writes or is about to (Stop Run first). Where this window has no trash
 * (VS Code in a browser, or on a remote host) it says so and deletes only when asked again.
 */
export function deleteRunCommand(activeRuns: ActiveRuns) {
  return async (target?: RunNode | string | vscode.Uri): Promise<DeleteRunResult> => {
    const runDir = await pickRun(target, 'KD-UDA: Delete Run', ['done', 'stopped', 'failed', 'queued']);
    if (!runDir) return { deleted: false, reason: 'no run chosen' };
    const runId = path.basename(runDir);
    const experiment = await readRunExperimentName(runDir);
    const name = experiment ? `${experiment} (${runId})` : runId;
    const refusal = await busy(runDir, activeRuns);
    if (refusal) {
      void vscode.window.showWarningMessage(`KD-UDA: ${name} was not deleted: ${refusal}. Stop it first.`);
      return { deleted: false, reason: refusal };
    }
    const trash = 'Move to Trash';
    const confirmed = await vscode.window.showWarningMessage(
      `Delete the run ${name}?`,
      { modal: true, detail: `Its folder goes to the trash, with its checkpoints, results and log:\n${runDir}` },
      trash,
    );
    if (confirmed !== trash) return { deleted: false, reason: 'not confirmed' };
    const uri = vscode.Uri.file(runDir);
    try {
      await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: true });
      return { deleted: true, how: 'trash' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!/trash/i.test(message)) {
        void vscode.window.showErrorMessage(`KD-UDA: ${name} was not deleted: ${message}`);
        return { deleted: false, reason: message };
      }
    }
    // The file system here has no trash (a browser or remote window): deleting is for good.
    const permanently = 'Delete Permanently';
    const again = await vscode.window.showWarningMessage(
      `There is no trash here to move ${name} to. Delete it permanently?`,
      {
        modal: true,
        detail: `This VS Code window (in a browser, or on a remote host) cannot move files to a trash. Nothing can bring the run back:\n${runDir}`,
      },
      permanently,
    );
    if (again !== permanently) return { deleted: false, reason: 'not confirmed' };
    try {
      await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: false });
      return { deleted: true, how: 'permanently' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      void vscode.window.showErrorMessage(`KD-UDA: ${name} was not deleted: ${message}`);
      return { deleted: false, reason: message };
    }
  };
}
