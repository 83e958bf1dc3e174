import type { ModelHeadline } from '../runFolder/readRunResults';
import { latexCaption, latexCell, latexLabel, latexTable, roleDisplayName, type AccuracyCell } from './latexTable';

export { latexCell };

export type ExportFormat = 'markdown' | 'csv' | 'latex';

const percent = (value: number | undefined): string => (value !== undefined && Number.isFinite(value) ? (100 * value).toFixed(1) : '');

export function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** What a run's table is of: the run, its last epoch, and what its experiment.json says it trained. */
export interface RunAbout {
  runId: string;
  epoch: number;
  method?: string;
  datasetRoot?: string;
  source?: string;
  targets?: string[];
  seed?: number;
}

const oneRun = (accuracy: number | undefined): AccuracyCell | undefined =>
  accuracy !== undefined && Number.isFinite(accuracy) ? { mean: accuracy, n: 1 } : undefined;

/**
 * The headline table (last epoch, top-1 % per target and mean) in a format for papers and notes.
 * Every model must report the same targets: the header is taken from the first. LaTeX is the
 * paper's table (see latexTable.ts), with its costs and a caption that names the method and data.
 */
export function exportResultsTable(models: readonly ModelHeadline[], format: ExportFormat, about: RunAbout): string {
  const targets = models[0]?.targets.map((target) => target.domain) ?? [];
  const header = ['model', ...targets, 'mean'];
  const rows = models.map((model) => [model.role, ...model.targets.map((target) => percent(target.accuracy)), percent(model.meanTarget)]);
  const caption = `${about.runId}: top-1 accuracy (%) at the last epoch (epoch ${about.epoch}), chosen without target labels`;
  switch (format) {
    case 'markdown':
      return [
        `<!-- ${caption} -->`,
        `| ${header.join(' | ')} |`,
        `|${header.map((_, i) => (i === 0 ? '---' : '--:')).join('|')}|`,
        ...rows.map((row) => `| ${row.join(' | ')} |`),
        '',
      ].join('\n');
    case 'csv':
      return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
    case 'latex': {
      const methods = about.method === undefined ? [] : [about.method];
      return latexTable({
        targets,
        rows: models.map((model) => ({
          name: roleDisplayName(model.role),
          accuracy: Object.fromEntries(model.targets.map((target) => [target.domain, oneRun(target.accuracy)])),
          mean: oneRun(model.meanTarget),
          parameters: model.parameters,
          macsPerImage: model.macsPerImage,
          runs: 1,
        })),
        caption: latexCaption({
          methods,
          datasetRoot: about.datasetRoot,
          source: about.source,
          targets: about.targets ?? targets,
          runs: [1],
          epoch: about.epoch,
          seed: about.seed,
        }),
        label: latexLabel(methods, about.datasetRoot),
      });
    }
  }
}
