import * as vscode from 'vscode';
import path from 'node:path';
import { describePointValues } from '../../experiment/sweep';
import { formatExperimentProblem, validateExperimentText, type ExperimentProblem, type ExperimentResult } from '../../experiment/validateExperiment';
import type { PreparedRun, PreparedRuns } from '../../runFolder/preparedRuns';
import type { SlurmExecutorSpec } from '../../slurm/slurmExecutor';
import { experimentDataProblems } from '../experimentFiles/experimentDataProblems';
import type { ExperimentDataScans } from '../experimentFiles/experimentDataScans';
import { prepareRuns } from '../processes/prepareRuns';
import { showRefusal } from '../processes/showRefusal';
import { TrainerProcess, UntrustedWorkspaceError } from '../processes/trainerProcess';
import { launchRun, type ActiveRuns, type LaunchResult } from '../runsView/activeRuns';
import { runsDirectory } from '../runsView/runsDirectory';
import { chooseExecutor } from '../slurm/executorChoice';
import type { SlurmRuns } from '../slurm/slurmRuns';

/**
 * What Start Run did: for one run, how its launch went (started, queued, refused), with its run
 * folder; for a sweep, every run folder and how many started here, queued or went to Slurm.
 */
export type StartRunResult = LaunchResult & {
  runDirs?: string[];
  sweepId?: string;
  /** The Slurm job (a sweep's job array) the runs were submitted as. */
  jobId?: string;
  /** Runs of the sweep that were done already and are reused as they are. */
  reused?: number;
};

export interface StartRunDeps {
  extensionUri: vscode.Uri;
  activeRuns: ActiveRuns;
  slurm: SlurmRuns;
  /** The dataset scans the experiment's data is checked against before anything is spawned. */
  scans: ExperimentDataScans;
}

async function pickExperiment(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && active.path.endsWith('.kdexp.json')) return active;
  const files = await vscode.workspace.findFiles('**/*.kdexp.json', '**/node_modules/**', 200);
  if (files.length === 0) {
    void vscode.window.showInformationMessage('KD-UDA: no *.kdexp.json experiment file in this workspace.');
    return undefined;
  }
  if (files.length === 1) return files[0];
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri), uri })),
    { title: 'KD-UDA: Start Run', placeHolder: 'Experiment to run' },
  );
  return picked?.uri;
}

/** A sweep of more runs than `kdUda.sweepConfirmAbove` starts only once the user says so. */
async function confirmSweep(label: string, count: number): Promise<boolean> {
  const threshold = vscode.workspace.getConfiguration('kdUda').get<number>('sweepConfirmAbove') ?? 8;
  if (count <= threshold) return true;
  const answer = await vscode.window.showWarningMessage(
    `KD-UDA: ${label} is a sweep of ${count} runs. Start them all?`,
    { modal: true, detail: `kdUda.sweepConfirmAbove is ${threshold}. Runs of the sweep that are already done are reused, not run again.` },
    'Start',
  );
  return answer === 'Start';
}

/** Problems found in the file before anything ran: each with its file, line and field, and a button to open the file there. */
function refuse(document: vscode.TextDocument, problems: readonly ExperimentProblem[]): StartRunResult {
  const lines = problems.map((problem) => formatExperimentProblem(vscode.workspace.asRelativePath(document.uri), problem));
  const first = problems.find((problem) => problem.offset !== undefined);
  void vscode.window
    .showErrorMessage(
      `KD-UDA: ${path.basename(document.uri.fsPath)} has ${lines.length} ${lines.length === 1 ? 'problem' : 'problems'}; nothing was started. ${lines.slice(0, 3).join(' · ')}`,
      'Open File',
    )
    .then((choice) => {
      if (!choice) return;
      const at = first ? new vscode.Range(document.positionAt(first.offset!), document.positionAt(first.offset! + (first.length ?? 0))) : undefined;
      void vscode.window.showTextDocument(document, at ? { selection: at } : {});
    });
  return { started: false, reason: lines.join('\n') };
}

/** What a run of a sweep is called: the experiment and the point's values. */
function runLabel(label: string, run: PreparedRun, prepared: PreparedRuns): string {
  return prepared.sweepId === null ? label : `${label} [${run.index + 1}/${prepared.count}: ${describePointValues(run.point)}]`;
}

/**
 * KD-UDA: Start Run — validates the experiment and every point of its sweep, and checks its data
 * against a fresh scan of the dataset (problems go to the user, nothing is spawned or created),
 * asks before a large sweep, has the trainer check the data and prepare a run folder per point
 * (a sweep reuses the runs of its points that are done), then executes them: here through the
 * run queue, or on Slurm as one job (a job array for a sweep).
 */
export function startRunCommand(deps: StartRunDeps) {
  return async (target?: vscode.Uri): Promise<StartRunResult> => {
    const uri = target instanceof vscode.Uri ? target : await pickExperiment();
    if (!uri) return { started: false, reason: 'no experiment chosen' };
    const document = await vscode.workspace.openTextDocument(uri);
    const label = path.basename(uri.fsPath, '.kdexp.json');
    const validation: ExperimentResult = validateExperimentText(document.getText(), uri.fsPath);
    if (!validation.ok) return refuse(document, validation.problems);
    // The dataset as scanned now, before any process: a mistyped domain costs no trainer start and no run folder.
    const dataProblems = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `KD-UDA: scanning the dataset of ${label}` }, () =>
      experimentDataProblems(document.getText(), uri.fsPath, (root, readsSplitFolders) => deps.scans.fresh(root, readsSplitFolders)),
    );
    if (dataProblems.length > 0) return refuse(document, dataProblems);
    if (validation.sweep && !(await confirmSweep(label, validation.points.length))) return { started: false, reason: 'the sweep was not confirmed' };
    if (document.isDirty) await document.save();
    const runsDir = runsDirectory();
    if (!runsDir) return { started: false, reason: 'no workspace folder to hold the runs directory' };
    if (!vscode.workspace.isTrusted) {
      const reason = new UntrustedWorkspaceError('Starting a training run').message;
      void vscode.window.showWarningMessage(reason);
      return { started: false, reason };
    }
    const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `KD-UDA: checking the data of ${label}` }, () =>
      prepareRuns(deps.extensionUri, uri.fsPath, runsDir, { fresh: !validation.sweep, cwd: path.dirname(uri.fsPath) }),
    );
    if (outcome.kind === 'refused') {
      void showRefusal(label, outcome.reason, { title: 'Open File', more: '' }).then((openFile) => {
        if (openFile) void vscode.window.showTextDocument(uri);
      });
      return { started: false, reason: outcome.reason };
    }
    if (outcome.kind === 'failed') {
      void vscode.window.showErrorMessage(`KD-UDA: ${outcome.message}`);
      return { started: false, reason: outcome.message };
    }
    const { prepared } = outcome;
    const runDirs = prepared.runs.map((run) => run.runDir);
    const sweep = prepared.sweepId === null ? {} : { sweepId: prepared.sweepId };
    const toRun = prepared.runs.filter((run) => run.state !== 'done' && run.state !== 'running');
    const reused = prepared.runs.length - toRun.length;
    if (toRun.length === 0) {
      void vscode.window.showInformationMessage(`KD-UDA: every run of ${label} (${prepared.count}) is done or running already; Compare Runs shows them.`);
      return { started: false, reason: 'every run is done or running', runDirs, reused, ...sweep };
    }
    const executor = chooseExecutor(validation.executor);
    if (executor.kind === 'slurm') return submitToSlurm(deps, label, prepared, toRun, executor, { runDirs, reused, ...sweep }, runsDir);
    const single = prepared.sweepId === null;
    const launches = await Promise.all(
      toRun.map((run) =>
        launchRun(
          deps.activeRuns,
          runLabel(label, run, prepared),
          () => TrainerProcess.start(deps.extensionUri, ['train', '--resume', run.runDir], { what: 'Starting a training run', cwd: path.dirname(uri.fsPath) }),
          { runDir: run.runDir, quiet: !single },
        ),
      ),
    );
    if (single) return { ...launches[0], runDirs };
    const started = launches.filter((launch) => launch.started).length;
    void vscode.window.showInformationMessage(
      `KD-UDA: sweep ${label}: ${prepared.count} runs, ${started} started, ${toRun.length - started} queued${reused ? `, ${reused} done already` : ''}.`,
    );
    return started > 0 ? { started: true, runDirs, reused, ...sweep } : { started: false, queued: toRun.length, runDirs, reused, ...sweep };
  };
}

async function submitToSlurm(
  deps: StartRunDeps,
  label: string,
  prepared: PreparedRuns,
  toRun: readonly PreparedRun[],
  executor: SlurmExecutorSpec,
  result: Omit<StartRunResult, 'started'>,
  runsDir: string,
): Promise<StartRunResult> {
  try {
    const submission = await deps.slurm.submit(
      toRun.map((run) => ({ runDir: run.runDir, label: runLabel(label, run, prepared) })),
      executor,
      path.join(runsDir, '.sweeps', prepared.sweepId ?? path.basename(toRun[0].runDir)),
    );
    void vscode.window.showInformationMessage(
      `KD-UDA: ${label} submitted to Slurm as ${toRun.length === 1 ? `job ${submission.jobId}` : `job array ${submission.jobId} (${toRun.length} runs)`}${executor.partition ? ` on partition ${executor.partition}` : ''}.`,
    );
    return { started: true, jobId: submission.jobId, ...result };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(`KD-UDA: ${label} was not submitted to Slurm: ${message}`);
    return { started: false, reason: message, ...result };
  }
}
