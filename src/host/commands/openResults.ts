import * as vscode from 'vscode';
import type { RunNode } from '../runsView/runsTreeProvider';
import { pickRun } from '../runsView/pickRun';
import { ResultsPanel, type ResultsPanelDeps } from '../panels/resultsPanel';

/** KD-UDA: Open Results — from a run in the Runs view, a run folder path, or a quick pick. */
export function openResultsCommand(deps: ResultsPanelDeps) {
  return async (target?: RunNode | string | vscode.Uri): Promise<ResultsPanel | undefined> => {
    const runDir = await pickRun(target, 'KD-UDA: Open Results');
    return runDir ? ResultsPanel.show(deps, runDir) : undefined;
  };
}
