import * as vscode from 'vscode';
import { experimentNameOf } from '../../experiment/validateExperiment';
import { listRuns, type RunListing } from '../../runFolder/listRuns';
import { readRunExperimentName } from '../../runFolder/readRunExperimentName';
import type { RunState } from '../../runFolder/runFolderFormat';
import { runIdName, runStartedText } from '../../runFolder/runNaming';
import type { RunNode } from './runsTreeProvider';
import { runsDirectory } from './runsDirectory';

/** The experiment an experiment file names (its `name`, else its file name), as its runs record it. */
async function experimentOfFile(uri: vscode.Uri): Promise<string> {
  const document = await vscode.workspace.openTextDocument(uri);
  let parsed: unknown;
  try {
    parsed = JSON.parse(document.getText());
  } catch {
    parsed = undefined;
  }
  return experimentNameOf(parsed, uri.fsPath);
}

/**
 * The run folder a run command acts on: from a Runs view node, a path argument, or a quick pick of
 * the runs in one of `states` (all when omitted). Given an experiment file (`*.kdexp.json`, as its
 * lens passes), the pick lists that experiment's runs only, and its one run needs no pick.
 */
export async function pickRun(target: RunNode | string | vscode.Uri | undefined, title: string, states?: readonly RunState[]): Promise<string | undefined> {
  if (typeof target === 'string') return target;
  const experiment = target instanceof vscode.Uri && target.path.endsWith('.kdexp.json') ? await experimentOfFile(target) : undefined;
  if (target instanceof vscode.Uri && experiment === undefined) return target.fsPath;
  if (target && typeof target === 'object' && 'run' in target) return target.run.dir;
  const dir = runsDirectory();
  const inState = (dir ? await listRuns(dir) : []).filter((run: RunListing) => !states || (run.state !== undefined && states.includes(run.state)));
  const names = await Promise.all(inState.map((run) => readRunExperimentName(run.dir)));
  const runs = inState.map((run, index) => ({ run, name: names[index] })).filter(({ name }) => experiment === undefined || name === experiment);
  if (runs.length === 0) {
    const which = `${states ? `${states.join(' or ')} ` : ''}run${experiment === undefined ? '' : ` of ${experiment}`}`;
    void vscode.window.showInformationMessage(`KD-UDA: no ${which} in ${dir ?? 'this workspace'}.`);
    return undefined;
  }
  if (experiment !== undefined && runs.length === 1) return runs[0].run.dir;
  const picked = await vscode.window.showQuickPick(
    runs.map(({ run, name }) => {
      const started = runStartedText(run.runId, run.startedAt);
      const state = run.state ?? run.problem ?? 'unreadable';
      return { label: name ?? runIdName(run.runId), description: started ? `${started} · ${state}` : state, detail: run.runId, dir: run.dir };
    }),
    { title: experiment === undefined ? title : `${title}: ${experiment}`, placeHolder: 'Run', matchOnDetail: true },
  );
  return picked?.dir;
}
