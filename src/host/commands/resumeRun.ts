import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatExperimentProblem } from '../../experiment/validateExperiment';
import { RUN_FILES } from '../../runFolder/runFolderFormat';
import { readStatusJson } from '../../runFolder/readRunFiles';
import { readRunExperimentName } from '../../runFolder/readRunExperimentName';
import { runIdName } from '../../runFolder/runNaming';
import { readSubmittedExecutor } from '../../slurm/submit';
import { launchRun, type ActiveRuns, type LaunchResult } from '../runsView/activeRuns';
import { pickRun } from '../runsView/pickRun';
import type { RunNode } from '../runsView/runsTreeProvider';
import { TrainerProcess } from '../processes/trainerProcess';
import type { SlurmRuns } from '../slurm/slurmRuns';
import { experimentDataProblems } from '../experimentFiles/experimentDataProblems';
import type { ExperimentDataScans } from '../experimentFiles/experimentDataScans';

export type ResumeRunResult = LaunchResult & { jobId?: string };

/**
 * KD-UDA: Resume Run — continues a stopped or failed run from its last checkpoint, on the same
 * schedule: where it ran before, here, or as a new Slurm job with the executor it was submitted with.
 * Its recorded data is checked against a fresh scan first (the dataset may have changed since), so
 * a domain that is gone costs no trainer start.
 */
export function resumeRunCommand(extensionUri: vscode.Uri, activeRuns: ActiveRuns, slurm: SlurmRuns, scans: ExperimentDataScans) {
  return async (target?: RunNode | string): Promise<ResumeRunResult> => {
    const runDir = await pickRun(target, 'KD-UDA: Resume Run', ['stopped', 'failed']);
    if (!runDir) return { started: false, reason: 'no run chosen' };
    const label = path.basename(runDir);
    const dataProblems = await recordedDataProblems(runDir, scans);
    if (dataProblems.length > 0) {
      const file = path.join(runDir, RUN_FILES.experiment);
      void vscode.window
        .showErrorMessage(`KD-UDA: ${label} was not resumed: its data no longer matches the dataset. ${dataProblems.slice(0, 3).join(' · ')}`, 'Open File')
        .then((choice) => {
          if (choice) void vscode.window.showTextDocument(vscode.Uri.file(file));
        });
      return { started: false, reason: dataProblems.join('\n') };
    }
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
    // Called as when it started (its experiment), not by its folder's long id.
    const name = (await readRunExperimentName(runDir)) ?? runIdName(label);
    return launchRun(activeRuns, name, () => TrainerProcess.start(extensionUri, ['train', '--resume', runDir], { what: 'Resuming a run', cwd: runDir }), {
      runDir,
      resumed: true,
    });
  };
}

/**
 * What a fresh scan says against the run's experiment.json, each problem with its line; none when
 * the file cannot be read (the trainer names that itself). Its root resolves against the run
 * folder, where the trainer that resumes it starts.
 */
async function recordedDataProblems(runDir: string, scans: ExperimentDataScans): Promise<string[]> {
  const file = path.join(runDir, RUN_FILES.experiment);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  const problems = await experimentDataProblems(text, file, (root, readsSplitFolders) => scans.fresh(root, readsSplitFolders)).catch(() => []);
  return problems.map((problem) => formatExperimentProblem(file, problem));
}
