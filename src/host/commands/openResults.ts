import * as vscode from 'vscode';
import { listRuns } from '../../runs/listRuns';
import type { RunNode } from '../runs/runsTreeProvider';
import { runsDirectory } from '../runs/runsDirectory';
import { ResultsPanel, type ResultsPanelDeps } from '../panels/resultsPanel';

/** KD-UDA: Open Results — from a run in the Runs view, a run folder path, or a quick pick. */
export function openResultsCommand(deps: ResultsPanelDeps) {
  return async (target?: RunNode | string | vscode.Uri): Promise<ResultsPanel | undefined> => {
    let runDir: string | undefined;
    if (typeof target === 'string') runDir = target;
    else if (target instanceof vscode.Uri) runDir = target.fsPath;
    else if (target && typeof target === 'object' && 'run' in target) runDir = target.run.dir;
    else {
      const dir = runsDirectory();
      const runs = dir ? await listRuns(dir) : [];
      if (runs.length === 0) {
        void vscode.window.showInformationMessage('KD-UDA: no runs yet. Start one with "KD-UDA: Start Run".');
        return undefined;
      }
      const picked = await vscode.window.showQuickPick(
        runs.map((run) => ({ label: run.runId, description: run.state ?? run.problem, dir: run.dir })),
        { title: 'KD-UDA: Open Results', placeHolder: 'Run to show' },
      );
      runDir = picked?.dir;
    }
    return runDir ? ResultsPanel.show(deps, runDir) : undefined;
  };
}
