import * as vscode from 'vscode';
import { listRuns, type RunListing } from '../../runFolder/listRuns';
import type { RunState } from '../../runFolder/runFolderFormat';
import type { RunNode } from './runsTreeProvider';
import { runsDirectory } from './runsDirectory';

/**
 * The run folder a run command acts on: from a Runs view node, a path argument, or a quick pick of
 * the runs in one of `states` (all when omitted).
 */
export async function pickRun(target: RunNode | string | vscode.Uri | undefined, title: string, states?: readonly RunState[]): Promise<string | undefined> {
  if (typeof target === 'string') return target;
  if (target instanceof vscode.Uri) return target.fsPath;
  if (target && typeof target === 'object' && 'run' in target) return target.run.dir;
  const dir = runsDirectory();
  const runs = (dir ? await listRuns(dir) : []).filter((run: RunListing) => !states || (run.state !== undefined && states.includes(run.state)));
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(`KD-UDA: no ${states ? `${states.join(' or ')} ` : ''}run in ${dir ?? 'this workspace'}.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => ({ label: run.runId, description: run.state ?? run.problem, dir: run.dir })),
    { title, placeHolder: 'Run' },
  );
  return picked?.dir;
}
