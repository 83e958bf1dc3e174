import * as vscode from 'vscode';
import path from 'node:path';
import { exportGroupedTable } from '../../runComparison/groupedTableFormats';
import { exportResultsTable, type ExportFormat, type RunAbout } from '../../runComparison/resultsTableFormats';
import type { ComparisonTable } from '../../runComparison/runComparison';
import { readExperimentJson } from '../../runFolder/readRunFiles';
import { readRunResults } from '../../runFolder/readRunResults';
import type { RunNode } from '../runsView/runsTreeProvider';
import { pickRun } from '../runsView/pickRun';

const FORMATS: { label: string; format: ExportFormat; language: string }[] = [
  { label: 'Markdown', format: 'markdown', language: 'markdown' },
  { label: 'CSV', format: 'csv', language: 'csv' },
  { label: 'LaTeX', format: 'latex', language: 'latex' },
];

/** What Compare Runs' Export button asks for: its runs, grouped by all but seed, with the columns it shows. */
export interface GroupedRunsExport {
  kind: 'groupedRuns';
  /** The runs to group, group after group in the order shown. */
  table: ComparisonTable;
  columns: string[];
}

const isGroupedRunsExport = (target: unknown): target is GroupedRunsExport =>
  typeof target === 'object' && target !== null && (target as { kind?: unknown }).kind === 'groupedRuns';

const GROUPED_CAPTION =
  'Top-1 accuracy (%) at the last epoch, chosen without target labels: mean and sample standard deviation over the runs of each configuration (n runs; all fields but the seed equal)';

/** What the run trained, for a caption: from its experiment.json, whatever of it can be read. */
async function runAbout(runDir: string, epoch: number): Promise<RunAbout> {
  const experiment = await readExperimentJson(runDir).catch(() => undefined);
  return {
    runId: path.basename(runDir),
    epoch,
    method: experiment?.method?.name,
    datasetRoot: experiment?.data?.root,
    source: experiment?.data?.source,
    targets: experiment?.data?.targets,
    seed: experiment?.seed,
  };
}

async function chooseFormat(formatArgument: ExportFormat | undefined) {
  return formatArgument
    ? FORMATS.find((entry) => entry.format === formatArgument)
    : await vscode.window.showQuickPick(FORMATS, { title: 'KD-UDA: Export Results', placeHolder: 'Format' });
}

async function openExport(language: string, content: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument({ language, content });
  await vscode.window.showTextDocument(document);
  return document;
}

/**
 * KD-UDA: Export Results — a finished run's headline table, or Compare Runs' table grouped by all
 * but seed, as Markdown, CSV or LaTeX, opened as a new document to save or copy (nothing is written
 * into a run folder, which is the trainer's).
 */
export function exportResultsCommand() {
  return async (target?: RunNode | string | GroupedRunsExport, formatArgument?: ExportFormat): Promise<vscode.TextDocument | undefined> => {
    if (isGroupedRunsExport(target)) {
      const choice = await chooseFormat(formatArgument);
      return choice && openExport(choice.language, exportGroupedTable(target.table, target.columns, choice.format, GROUPED_CAPTION));
    }
    const runDir = await pickRun(target, 'KD-UDA: Export Results', ['done', 'stopped']);
    if (!runDir) return undefined;
    const reading = await readRunResults(runDir);
    if (reading.kind !== 'results') {
      void vscode.window.showErrorMessage(reading.kind === 'none' ? `KD-UDA: ${path.basename(runDir)} has no results.json yet.` : `KD-UDA: ${reading.message}`);
      return undefined;
    }
    const choice = await chooseFormat(formatArgument);
    if (!choice) return undefined;
    return openExport(choice.language, exportResultsTable(reading.models, choice.format, await runAbout(runDir, reading.epoch)));
  };
}
