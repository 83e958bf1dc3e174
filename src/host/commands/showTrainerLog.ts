import * as vscode from 'vscode';
import path from 'node:path';
import { readStatusJson } from '../../runFolder/readRunFiles';
import { RUN_FILES } from '../../runFolder/runFolderFormat';
import { pickRun } from '../runsView/pickRun';
import type { RunNode } from '../runsView/runsTreeProvider';
import { slurmLogFile } from '../slurm/slurmRuns';

/**
 * KD-UDA: Show Trainer Log — a run's log in an editor (it grows while the run trains): the log of
 * its Slurm job when one executes it (the trainer's output and Slurm's own lines, such as a
 * cancellation or a time limit), else trainer.log.
 */
export function showTrainerLogCommand() {
  return async (target?: RunNode | string): Promise<vscode.TextEditor | undefined> => {
    const runDir = await pickRun(target, 'KD-UDA: Show Trainer Log');
    if (!runDir) return undefined;
    const status = await readStatusJson(runDir).catch(() => undefined);
    const file = status?.slurm ? slurmLogFile(runDir, status.slurm.jobId) : path.join(runDir, RUN_FILES.log);
    try {
      return await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
    } catch (error) {
      void vscode.window.showErrorMessage(`KD-UDA: cannot open ${file}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  };
}
