import * as vscode from 'vscode';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sourceOnlyExperimentOf } from '../../experiment/sourceOnlyBaseline';
import { RUN_FILES } from '../../runFolder/runFolderFormat';
import { pickRun } from '../runsView/pickRun';
import type { RunNode } from '../runsView/runsTreeProvider';
import { CommandId } from './commandId';
import type { StartRunResult } from './startRun';

/** What the command did: Start Run's result, with the experiment file it wrote. */
export type StartSourceOnlyBaselineResult = StartRunResult & { experimentFile?: string };

/** `<name>.kdexp.json` in `dir`, or `<name>-2.kdexp.json`… when a file of another content has the name: a user's file is never overwritten. */
async function freeExperimentFile(dir: string, name: string, text: string): Promise<string> {
  for (let index = 1; ; index++) {
    const file = path.join(dir, `${name}${index === 1 ? '' : `-${index}`}.kdexp.json`);
    const existing = await readFile(file, 'utf8').catch(() => undefined);
    if (existing === undefined || existing === text) return file;
  }
}

/**
 * KD-UDA: Start Source-Only Baseline — writes the run's experiment, as source-only training of the
 * same student on the same data, split and seed, to an experiment file in the workspace (so the
 * baseline can be read, edited and rerun like any other), then starts it with Start Run.
 */
export function startSourceOnlyBaselineCommand() {
  return async (target?: RunNode | string): Promise<StartSourceOnlyBaselineResult> => {
    const runDir = await pickRun(target, 'KD-UDA: Start Source-Only Baseline of Run');
    if (!runDir) return { started: false, reason: 'no run chosen' };
    const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (workspace === undefined) return { started: false, reason: 'no workspace folder to hold the experiment file' };
    const experimentJson = path.join(runDir, RUN_FILES.experiment);
    let baseline: Record<string, unknown>;
    try {
      baseline = sourceOnlyExperimentOf(JSON.parse(await readFile(experimentJson, 'utf8')), experimentJson);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      void vscode.window.showErrorMessage(`KD-UDA: no source-only baseline started: ${reason}`);
      return { started: false, reason };
    }
    const text = `${JSON.stringify(baseline, null, 2)}\n`;
    const file = await freeExperimentFile(workspace, String(baseline.name), text);
    await writeFile(file, text);
    const result = await vscode.commands.executeCommand<StartRunResult>(CommandId.StartRun, vscode.Uri.file(file));
    return { ...result, experimentFile: file };
  };
}
