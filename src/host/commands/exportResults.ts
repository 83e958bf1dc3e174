import * as vscode from 'vscode';
import path from 'node:path';
import { exportResultsTable, type ExportFormat } from '../../runs/exportResults';
import { listRuns } from '../../runs/listRuns';
import { readRunResults } from '../../runs/readRunResults';
import type { RunNode } from '../runs/runsTreeProvider';
import { runsDirectory } from '../runs/runsDirectory';

const FORMATS: { label: string; format: ExportFormat; language: string }[] = [
  { label: 'Markdown', format: 'markdown', language: 'markdown' },
  { label: 'CSV', format: 'csv', language: 'csv' },
  { label: 'LaTeX', format: 'latex', language: 'latex' },
];

/**
 * KD-UDA: Export Results — a finished run's headline table as Markdown, CSV or LaTeX, opened as a
 * new document to save or copy (nothing is written into the run folder, which is the trainer's).
 */
export function exportResultsCommand() {
  return async (target?: RunNode | string, formatArgument?: ExportFormat): Promise<vscode.TextDocument | undefined> => {
    let runDir = typeof target === 'string' ? target : target && 'run' in target ? target.run.dir : undefined;
    if (!runDir) {
      const dir = runsDirectory();
      const finished = (dir ? await listRuns(dir) : []).filter((run) => run.state === 'done' || run.state === 'stopped');
      const picked = await vscode.window.showQuickPick(finished.map((run) => ({ label: run.runId, description: run.state, dir: run.dir })), { title: 'KD-UDA: Export Results', placeHolder: finished.length ? 'Run to export' : 'No finished run yet' });
      runDir = picked?.dir;
    }
    if (!runDir) return undefined;
    const reading = await readRunResults(runDir);
    if (reading.kind !== 'results') {
      void vscode.window.showErrorMessage(reading.kind === 'none' ? `KD-UDA: ${path.basename(runDir)} has no results.json yet.` : `KD-UDA: ${reading.message}`);
      return undefined;
    }
    const choice = formatArgument ? FORMATS.find((entry) => entry.format === formatArgument) : await vscode.window.showQuickPick(FORMATS, { title: 'KD-UDA: Export Results', placeHolder: 'Format' });
    if (!choice) return undefined;
    const caption = `${path.basename(runDir)}: top-1 accuracy (%) at the last epoch (epoch ${reading.epoch}), chosen without target labels`;
    const document = await vscode.workspace.openTextDocument({ language: choice.language, content: exportResultsTable(reading.models, choice.format, caption) });
    await vscode.window.showTextDocument(document);
    return document;
  };
}
