import * as vscode from 'vscode';
import path from 'node:path';
import { readStatusJson } from '../../runFolder/readRunFiles';
import { readSubmittedExecutor } from '../../slurm/submit';
import { launchRun, type ActiveRuns, type LaunchResult } from '../runsView/activeRuns';
import { pickRun } from '../runsView/pickRun';
import type { RunNode } from '../runsView/runsTreeProvider';
import { TrainerProcess } from '../processes/trainerProcess';
import type { SlurmRuns } from '../slurm/slurmRuns';

export type ResumeRunResult = LaunchResult & { jobId?: string };

/**
 * KD-UDA: Resume Run — continues a stopped or failed run from its last checkpoint, on the same
 * schedule: where it ran before, here, or as a new Slurm job with the executor it was submitted with.
 */
export function resumeRunCommand(extensionUri: vscode.Uri, activeRuns: ActiveRuns, slurm: SlurmRuns) {
  return async (target?: RunNode | string): Promise<ResumeRunResult> => {
    const runDir = await pickRun(target, 'KD-UDA: Resume Run', ['stopped', 'failed']);
    if (!runDir) return { started: false, reason: 'no run chosen' };
    const label = path.basename(runDir);
    const status = await readStatusJson(runDir).catch(() => undefined);
    const executor = status?.slurm ? await readSubmittedExecutor(runDir).catch((error: Error) => error) : undefined;
    if (executor instanceof Error) {
      void vscode.window.showErrorMessage(`KD-UDA: cannot resume ${label} on Slurm: ${executor.message}`);
      return { started: false, reason: executor.message };
    }
    if (executor) {
      try {
        const submission = await slurm.submit([{ runDir, label }], executor);
        void vscode.window.showInformationMessage(`KD-UDA: ${label} resumes as Slurm job ${submission.jobId}.`);
        return { started: true, jobId: submission.jobId };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        void vscode.window.showErrorMessage(`KD-UDA: ${label} was not resubmitted to Slurm: ${message}`);
        return { started: false, reason: message };
      }
    }
    return launchRun(activeRuns, label, () => TrainerProcess.start(extensionUri, ['train', '--resume', runDir], { what: 'Resuming a run', cwd: runDir }), {
      runDir,
    });
  };
}
