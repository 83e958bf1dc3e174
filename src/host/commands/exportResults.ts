import * as vscode from 'vscode';
import path from 'node:path';
import { exportResultsTable, type ExportFormat } from '../../runComparison/resultsTableFormats';
import { readRunResults } from '../../runFolder/readRunResults';
import type { RunNode } from '../runsView/runsTreeProvider';
import { pickRun } from '../runsView/pickRun';

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
    const runDir = await pickRun(target, 'KD-UDA: Export Results', ['done', 'stopped']);
    if (!runDir) return undefined;
    const reading = await readRunResults(runDir);
    if (reading.kind !== 'results') {
      void vscode.window.showErrorMessage(reading.kind === 'none' ? `KD-UDA: ${path.basename(runDir)} has no results.json yet.` : `KD-UDA: ${reading.message}`);
      return undefined;
    }
    const choice = formatArgument
      ? FORMATS.find((entry) => entry.format === formatArgument)
      : await vscode.window.showQuickPick(FORMATS, { title: 'KD-UDA: Export Results', placeHolder: 'Format' });
    if (!choice) return undefined;
    const caption = `${path.basename(runDir)}: top-1 accuracy (%) at the last epoch (epoch ${reading.epoch}), chosen without target labels`;
    const document = await vscode.workspace.openTextDocument({
      language: choice.language,
      content: exportResultsTable(reading.models, choice.format, caption),
    });
    await vscode.window.showTextDocument(document);
    return document;
  };
}
