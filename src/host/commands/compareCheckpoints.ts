import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseDiffMessage } from '../../checkpointDiff/diffMessages';
import { readCheckpointDiffReport } from '../../checkpointDiff/readDiffReport';
import type { CheckpointDiffReport } from '../../checkpointDiff/reportFormat';
import { defaultCheckpointPair, diffReportComparesPair, diffReportFile, runDirOf } from '../../checkpointDiff/runCheckpoints';
import { RunFileError } from '../../runFolder/jsonShape';
import { CHECKPOINT_FILES, RUN_FILES } from '../../runFolder/runFolderFormat';
import { listCheckpoints, type CheckpointListing } from '../../runFolder/listCheckpoints';
import { CheckpointDiffPanel, type CheckpointDiffPanelDeps } from '../panels/checkpointDiffPanel';
import { checkpointNodeLabel } from '../runsView/checkpointNodes';
import { pickRun } from '../runsView/pickRun';
import type { RunNode } from '../runsView/runsTreeProvider';
import { TrainerProcess, UntrustedWorkspaceError, type TrainerExit } from '../processes/trainerProcess';

const TITLE = 'KD-UDA: Compare Checkpoints';

/** Arguments for a programmatic call (tests, other extensions): the checkpoint folders to compare. */
export interface CompareCheckpointsOptions {
  a?: string;
  b?: string;
}

export type CompareCheckpointsResult = { opened: true; reportFile: string; computed: boolean } | { opened: false; reason: string };

type CheckpointPick = vscode.QuickPickItem & { dir?: string; browse?: boolean };

/** A separator heading a group of the picker. */
const separator = (label: string): CheckpointPick => ({ label, kind: vscode.QuickPickItemKind.Separator });

function checkpointPick(entry: CheckpointListing, preferred: CheckpointListing | undefined): CheckpointPick {
  const marks = [entry.architecture, ...(entry.latest ? ['latest'] : []), ...(entry === preferred ? ['default'] : [])];
  return { label: checkpointNodeLabel(entry), description: marks.join(' · '), dir: entry.dir };
}

/**
 * A quick pick of the run's checkpoints, every kept epoch of each model under that model's heading
 * (newest first, the latest marked), the default first of all so Enter takes it; or another
 * checkpoint folder, whose dialog opens at the run's checkpoints folder.
 */
async function pickCheckpoint(
  runDir: string,
  entries: readonly CheckpointListing[],
  preferred: CheckpointListing | undefined,
  placeHolder: string,
): Promise<string | undefined> {
  const byRole = new Map<string, CheckpointListing[]>();
  for (const entry of entries) if (entry !== preferred) byRole.set(entry.role, [...(byRole.get(entry.role) ?? []), entry]);
  const items: CheckpointPick[] = [
    ...(preferred ? [separator('default'), checkpointPick(preferred, preferred)] : []),
    ...[...byRole].flatMap(([role, listed]) => [separator(role), ...listed.map((entry) => checkpointPick(entry, preferred))]),
    separator(''),
    { label: '$(folder-opened) Another checkpoint folder…', description: 'a folder with model.json and meta.json', browse: true },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: TITLE, placeHolder, matchOnDescription: true });
  if (!picked?.browse) return picked?.dir;
  const folder = await vscode.window.showOpenDialog({
    title: placeHolder,
    defaultUri: vscode.Uri.file(path.join(runDir, RUN_FILES.checkpoints)),
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: 'Compare',
  });
  return folder?.[0]?.fsPath;
}

/**
 * Whether the report at `reportFile` can be shown as it is for A = `a`, B = `b`: it is newer than
 * every file of both checkpoints (checkpoint folders never change once written), it compares
 * exactly these two folders (its `a.dir` and `b.dir`), not another pair that wrote the same name,
 * and, in a trusted workspace, it has the representation figures (a report from before them is
 * computed again, so running the command is how a user gets them).
 */
async function isReusable(reportFile: string, a: string, b: string, output: vscode.LogOutputChannel): Promise<boolean> {
  const written = await stat(reportFile).then(
    (info) => info.mtimeMs,
    () => undefined,
  );
  if (written === undefined) return false;
  const inputs = [a, b].flatMap((dir) => [CHECKPOINT_FILES.meta, 'model.json', 'weights.bin'].map((name) => path.join(dir, name)));
  const times = await Promise.all(
    inputs.map((file) =>
      stat(file).then(
        (info) => info.mtimeMs,
        () => Infinity,
      ),
    ),
  );
  if (!times.every((time) => time <= written)) return false;
  let report: CheckpointDiffReport;
  try {
    report = await readCheckpointDiffReport(reportFile);
  } catch (error) {
    // A newer KD-UDA Lab's report is left as it is, for the panel to say so; a broken one is made again.
    return error instanceof RunFileError && error.problem === 'version';
  }
  if (!diffReportComparesPair(report, a, b)) {
    output.info(`Checkpoint diff: ${reportFile} compares another pair of checkpoints; computing it again for ${a} and ${b}`);
    return false;
  }
  // Written before the representation figures existed: made again where a process may run, else shown as it is (the panel says why it has no figures).
  if (report.representations === undefined && vscode.workspace.isTrusted) {
    output.info(`Checkpoint diff: ${reportFile} has no representation figures (written before they existed); computing it again`);
    return false;
  }
  return true;
}

/** The reason the trainer gave when it gave one, else how it ended and its last lines. */
function failureReason(given: string | undefined, { tail, code, signal }: TrainerExit): string {
  return given ?? `the trainer's diff failed (${signal ?? `exit code ${code}`}): ${tail.slice(-3).join(' / ')}`;
}

/**
 * KD-UDA: Compare Checkpoints — picks a run (the Runs view node it was invoked on, if any) and two
 * of its checkpoints (latest student vs latest teacher by default; invoked on a checkpoint node,
 * that one is A), runs `kd-uda diff` in a child
 * process with a cancellable progress notification, and opens the Checkpoint Diff panel on the
 * report it writes into `<run>/diffs/`. A report already there for this very pair and newer than
 * both checkpoints is opened without evaluating again, which also lets an untrusted workspace browse existing diffs.
 */
export function compareCheckpointsCommand(extensionUri: vscode.Uri, deps: CheckpointDiffPanelDeps) {
  return async (target?: RunNode | string | vscode.Uri, options: CompareCheckpointsOptions = {}): Promise<CompareCheckpointsResult> => {
    const runDir = target === undefined && options.a ? runDirOf(options.a) : await pickRun(target, TITLE);
    if (!runDir) return { opened: false, reason: options.a ? `${options.a} is not in a run folder` : 'no run chosen' };
    const entries = await listCheckpoints(runDir);
    const defaults = defaultCheckpointPair(entries);
    const fromNode = typeof target === 'object' && 'kind' in target && target.kind === 'checkpoint' ? target.checkpoint.dir : undefined;
    const a = options.a ?? fromNode ?? (await pickCheckpoint(runDir, entries, defaults?.[0], 'Checkpoint A (student by default)'));
    if (!a) return { opened: false, reason: 'no checkpoint A chosen' };
    // B defaults to the teacher, or to the student when A is the teacher.
    const preferredB = defaults ? (defaults[1].dir !== a ? defaults[1] : defaults[0]) : undefined;
    const b =
      options.b ??
      (await pickCheckpoint(
        runDir,
        entries.filter((entry) => entry.dir !== a),
        preferredB,
        'Checkpoint B (teacher by default)',
      ));
    if (!b) return { opened: false, reason: 'no checkpoint B chosen' };
    for (const dir of [a, b]) {
      if (!existsSync(path.join(dir, CHECKPOINT_FILES.meta))) {
        const reason = `${dir} is not a checkpoint folder (no meta.json)`;
        void vscode.window.showErrorMessage(`KD-UDA: ${reason}.`);
        return { opened: false, reason };
      }
    }
    const reportFile = diffReportFile(runDir, a, b);
    if (await isReusable(reportFile, a, b, deps.output)) {
      deps.output.info(`Checkpoint diff: ${reportFile} is newer than both checkpoints; opening it as it is`);
      CheckpointDiffPanel.show(deps, reportFile);
      return { opened: true, reportFile, computed: false };
    }
    if (!vscode.workspace.isTrusted) {
      const reason = new UntrustedWorkspaceError('Comparing checkpoints').message;
      void vscode.window.showWarningMessage(reason);
      return { opened: false, reason };
    }
    const backend = vscode.workspace.getConfiguration('kdUda').get<string>('backend') || 'auto';
    const args = ['diff', a, b, '--out', reportFile, '--backend', backend];
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: TITLE, cancellable: true },
      async (progress, cancellation): Promise<CompareCheckpointsResult> => {
        deps.output.info(`kd-uda ${args.join(' ')}`);
        let trainer: TrainerProcess;
        try {
          trainer = TrainerProcess.start(extensionUri, args, { what: 'Comparing checkpoints', cwd: runDir });
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          void vscode.window.showErrorMessage(reason);
          return { opened: false, reason };
        }
        let refusal: string | undefined;
        trainer.onLine((line) => deps.output.info(line));
        trainer.onMessage((value) => {
          const message = parseDiffMessage(value);
          if (message?.kind === 'diff-progress') progress.report({ message: message.message.slice(0, 120) });
          if (message?.kind === 'diff-failed') refusal = message.reason;
        });
        const cancelled = cancellation.onCancellationRequested(() => void trainer.stop());
        const exit = await trainer.exit;
        cancelled.dispose();
        trainer.dispose();
        if (cancellation.isCancellationRequested) return { opened: false, reason: 'cancelled' };
        if (exit.code !== 0) {
          const reason = failureReason(refusal, exit);
          void vscode.window.showErrorMessage(`KD-UDA: ${reason}`, 'Show Output').then((choice) => {
            if (choice) deps.output.show();
          });
          return { opened: false, reason };
        }
        CheckpointDiffPanel.show(deps, reportFile);
        return { opened: true, reportFile, computed: true };
      },
    );
  };
}
