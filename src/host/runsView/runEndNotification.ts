import * as vscode from 'vscode';
import path from 'node:path';
import { readRunStatus } from '../../runFolder/listRuns';
import { readRunExperimentName } from '../../runFolder/readRunExperimentName';
import { readRunResults } from '../../runFolder/readRunResults';
import { listCheckpoints } from '../../runFolder/listCheckpoints';
import { accuracySummary, errorLineOf, firstUsefulLine, resumePoint } from '../../runFolder/runEndSummary';
import { CommandId } from '../commands/commandId';
import { showRefusal } from '../processes/showRefusal';
import type { ExecutionEnd } from '../processes/runExecution';
import type { ActiveRun } from './activeRuns';

const OPEN_RESULTS = 'Open Results';
const RESUME = 'Resume';
const SHOW_LOG = 'Show Trainer Log';

/**
 * What the user calls a run: its experiment's name, once (the run id repeats it after a
 * timestamp); the run id where the run folder names no experiment; the launch's label before the
 * trainer said which folder it writes.
 */
async function runName(run: ActiveRun): Promise<string> {
  if (!run.runDir) return run.label;
  return (await readRunExperimentName(run.runDir)) ?? path.basename(run.runDir);
}

/**
 * A run of this window has ended: what came of it, with the next thing to do as a button. Done:
 * each model's mean target accuracy from results.json, and Open Results. Stopped: its last finished epoch,
 * Resume and Open Results. Failed: the error the trainer recorded, in one line (the log has the
 * rest), Show Trainer Log, and Resume when it saved a checkpoint to continue from (a killed
 * trainer's run is as resumable as a stopped one). Refused (nothing was created): its problems.
 */
export async function notifyRunEnd(run: ActiveRun, exit: ExecutionEnd): Promise<void> {
  if (exit.code !== 0 && run.refused !== undefined) {
    if (await showRefusal(run.label, run.refused, { title: 'Show Log', more: ' in the output' })) run.output.show();
    return;
  }
  const name = await runName(run);
  const status = run.runDir ? await readRunStatus(run.runDir) : undefined;
  if (exit.code === 0 && status?.state === 'done') return doneMessage(run, name);
  if (exit.code === 0 && status?.state === 'stopped') return stoppedMessage(run, name);
  if (exit.code === 0) {
    // Exit 0 is the trainer's own end; one it did not record as done or stopped (requeued on Slurm).
    if ((await vscode.window.showInformationMessage(`KD-UDA: ${name} ended.`, OPEN_RESULTS)) && run.runDir) openResults(run.runDir);
    return;
  }
  const reason = firstUsefulLine((status?.state === 'failed' ? status.error : undefined) ?? exit.reason) ?? errorLineOf(exit.tail);
  const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  const from = run.runDir ? resumePoint(await listCheckpoints(run.runDir)) : undefined;
  const resume = from ? ` Resume continues it from its checkpoint at ${from}.` : '';
  const choice = await vscode.window.showErrorMessage(
    `KD-UDA: ${name} failed (${how})${reason ? `: ${reason.replace(/\.$/, '')}` : ''}.${resume}`,
    ...(from ? [RESUME, SHOW_LOG] : [SHOW_LOG]),
  );
  if (choice === RESUME) void vscode.commands.executeCommand(CommandId.ResumeRun, run.runDir);
  else if (choice === SHOW_LOG && run.runDir) void vscode.commands.executeCommand(CommandId.ShowTrainerLog, run.runDir);
  else if (choice === SHOW_LOG) run.output.show();
}

function openResults(runDir: string): void {
  void vscode.commands.executeCommand(CommandId.OpenResults, runDir);
}

async function doneMessage(run: ActiveRun, name: string): Promise<void> {
  const reading = await readRunResults(run.runDir!);
  const accuracy = reading.kind === 'results' ? accuracySummary(Object.fromEntries(reading.models.map((model) => [model.role, model.meanTarget]))) : '';
  const message = accuracy ? `KD-UDA: ${name} done: ${accuracy} (mean target accuracy)` : `KD-UDA: ${name} done.`;
  if ((await vscode.window.showInformationMessage(message, OPEN_RESULTS)) === OPEN_RESULTS) openResults(run.runDir!);
}

async function stoppedMessage(run: ActiveRun, name: string): Promise<void> {
  const progress = run.progress;
  const accuracy = progress ? accuracySummary(progress.meanTargetAccuracy) : '';
  const where = progress
    ? ` after epoch ${progress.epoch}/${progress.epochs}${accuracy ? `: ${accuracy} (mean target accuracy)` : ''}`
    : ' before its first epoch ended';
  const choice = await vscode.window.showInformationMessage(
    `KD-UDA: ${name} stopped${where}. Resume continues it from its last checkpoint.`,
    RESUME,
    OPEN_RESULTS,
  );
  if (choice === RESUME) void vscode.commands.executeCommand(CommandId.ResumeRun, run.runDir);
  else if (choice === OPEN_RESULTS) openResults(run.runDir!);
}
