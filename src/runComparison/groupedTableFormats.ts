/**
 * Export Results of Compare Runs grouped by all but seed: one row per configuration, each metric
 * as mean ± sample std over its runs, as a paper prints it (accuracy in percent with one decimal,
 * costs as `62.0 k` / `6.18 M`, like the README's Digits table). CSV keeps mean, std and n apart.
 * LaTeX is the paper's table whatever columns are shown: a row per model of each configuration,
 * every target, the mean and the costs (see latexTable.ts).
 */
import { groupCellText, groupRuns, NOT_CONFIGURATION, type GroupCell, type RunGroup } from './groupRuns';
import { latexCaption, latexLabel, latexTable, methodDisplayName, roleDisplayName, type AccuracyCell, type LatexModelRow } from './latexTable';
import { csvCell, type ExportFormat } from './resultsTableFormats';
import type { CellValue, ComparisonColumn, ComparisonTable } from './runComparison';
import { compactCount } from '../util/compactCount';
import { teachersFirstRank } from '../runFolder/modelRoleOrder';

type Stats = Extract<GroupCell, { kind: 'stats' }>;

/** A metric's number as printed: accuracy in percent, one decimal; a count in thousands or millions. */
function metricNumber(column: ComparisonColumn, value: number): string {
  if (column.kind === 'accuracy') return (100 * value).toFixed(1);
  if (column.kind === 'count') return compactCount(value);
  return String(Number(value.toPrecision(4)));
}

/** A cost the same in every run (parameters, MACs) is printed once; an accuracy keeps its `± 0.0`. */
const showsSpread = (column: ComparisonColumn, stats: Stats): stats is Stats & { std: number } =>
  stats.std !== undefined && (column.kind === 'accuracy' || stats.std !== 0);

/** `55.0 ± 5.0`, with `(n = 2)` where fewer runs than the group's have the metric. */
function statsText(column: ComparisonColumn, stats: Stats, runs: number): string {
  if (stats.mean === undefined) return '';
  const mean = metricNumber(column, stats.mean);
  const spread = showsSpread(column, stats) ? metricNumber(column, stats.std) : undefined;
  const fewer = stats.n < runs ? ` (n = ${stats.n})` : '';
  return `${mean}${spread === undefined ? '' : ` ± ${spread}`}${fewer}`;
}

/** CSV keeps numbers as numbers: accuracy in percent (one decimal), a count whole. */
function csvNumber(column: ComparisonColumn, value: number | undefined): string {
  if (value === undefined) return '';
  return column.kind === 'accuracy' ? (100 * value).toFixed(1) : column.kind === 'count' ? String(Math.round(value)) : String(value);
}

function cellsOf(group: RunGroup, columns: readonly { column: ComparisonColumn; index: number }[], format: ExportFormat): string[] {
  return columns.flatMap(({ column, index }, position) => {
    const cell = group.cells[index];
    // The label, then n.
    if (position === 0) return [groupCellText(column, cell), String(group.rows.length)];
    if (cell.kind !== 'stats') return [groupCellText(column, cell)];
    if (format === 'csv') return [csvNumber(column, cell.mean), csvNumber(column, cell.std), String(cell.n)];
    return [statsText(column, cell, group.rows.length)];
  });
}

/**
 * The table's runs (all of them, in its order) grouped by all but seed, with the columns named by
 * `columnKeys` in that order (unknown keys skipped). The run column, first whether named or not,
 * is the configuration's label and is followed by n, the runs in the group.
 */
export function exportGroupedTable(table: ComparisonTable, columnKeys: readonly string[], format: ExportFormat, caption: string): string {
  const wanted = columnKeys.flatMap((key) => {
    const index = table.columns.findIndex((column) => column.key === key);
    return index > 0 ? [{ column: table.columns[index], index }] : [];
  });
  const columns = [{ column: table.columns[0], index: 0 }, ...wanted.filter((entry, i) => wanted.findIndex((other) => other.index === entry.index) === i)];
  const groups = groupRuns(table);
  if (format === 'latex') return groupedLatexTable(table, groups);
  const header = columns.flatMap(({ column }, position) => {
    if (position === 0) return ['configuration', 'n'];
    if (column.group === 'metric' && format === 'csv') return [`${column.label} mean`, `${column.label} std`, `${column.label} n`];
    return [column.label];
  });
  const numeric = columns.flatMap(({ column }, position) => (position === 0 ? [false, true] : [column.group === 'metric']));
  const rows = groups.map((group) => cellsOf(group, columns, format));
  switch (format) {
    case 'markdown': {
      const line = (cells: readonly string[]) => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
      return [`<!-- ${caption} -->`, line(header), `|${numeric.map((right) => (right ? '--:' : '---')).join('|')}|`, ...rows.map(line), ''].join('\n');
    }
    case 'csv':
      return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
  }
}

/** The group's value of an experiment field when its runs agree on it; undefined otherwise. */
function sameValue(table: ComparisonTable, group: RunGroup, key: string): CellValue | undefined {
  const index = table.columns.findIndex((column) => column.group === 'experiment' && column.key === key);
  const cell = index < 0 ? undefined : group.cells[index];
  return cell?.kind === 'same' && cell.value !== null ? cell.value : undefined;
}

/** What all groups agree on, or undefined. */
function agreed<T>(values: readonly (T | undefined)[]): T | undefined {
  return values.length > 0 && values.every((value) => value !== undefined && value === values[0]) ? values[0] : undefined;
}

function accuracyCell(cell: GroupCell | undefined): AccuracyCell | undefined {
  if (cell?.kind !== 'stats' || cell.mean === undefined) return undefined;
  return { mean: cell.mean, ...(cell.std === undefined ? {} : { std: cell.std }), n: cell.n };
}

/**
 * What each configuration's rows are called: nothing for one configuration; else its method, or
 * its experiment's name where two share a method; and where even those are the same, the fields
 * its configuration differs in (`sweep (optimizer.studentLr 0.01)`).
 */
function rowPrefixes(table: ComparisonTable, groups: readonly RunGroup[], methods: readonly (CellValue | undefined)[]): string[] {
  if (groups.length === 1) return [''];
  const distinct = (names: readonly unknown[]) => new Set(names).size === names.length;
  if (methods.every((method) => typeof method === 'string') && distinct(methods)) return methods.map((method) => methodDisplayName(String(method)));
  const labels = groups.map((group) => group.label);
  if (distinct(labels)) return labels;
  const differing = table.columns.flatMap((column, index) => {
    if (column.group !== 'experiment' || NOT_CONFIGURATION.has(column.key)) return [];
    const shown = groups.map((group) => groupCellText(column, group.cells[index]));
    return new Set(shown).size > 1 ? [{ key: column.key, shown }] : [];
  });
  return labels.map((label, index) =>
    differing.length ? `${label} (${differing.map(({ key, shown }) => `${key} ${shown[index] || '–'}`).join(', ')})` : label,
  );
}

/**
 * The groups as a paper's table: for each configuration, a row per model (teachers, then the
 * student), named by the model alone when there is one configuration, else after its method
 * (its experiment's name where two share a method). The caption names what the groups agree on.
 */
function groupedLatexTable(table: ComparisonTable, groups: readonly RunGroup[]): string {
  const metric = (key: string) => table.columns.findIndex((column) => column.group === 'metric' && column.key === key);
  // Roles as the papers' tables list them (teachers first); targets in the order their columns first come.
  const roles = table.columns
    .flatMap((column) => (column.group === 'metric' && /^acc\.[^.]+\.mean$/.test(column.key) ? [column.key.slice(4, -5)] : []))
    .sort((a, b) => teachersFirstRank(a) - teachersFirstRank(b));
  const targets = [
    ...new Set(
      table.columns.flatMap((column) => {
        const match = /^acc\.([^.]+)\.(.+)$/.exec(column.key);
        return column.group === 'metric' && match && roles.includes(match[1]) && match[2] !== 'mean' ? [match[2]] : [];
      }),
    ),
  ];
  const methods = groups.map((group) => sameValue(table, group, 'method.name'));
  const prefixes = rowPrefixes(table, groups, methods);
  const rows: LatexModelRow[] = groups.flatMap((group, index) => {
    const prefix = prefixes[index];
    return roles.flatMap((role) => {
      const cell = (key: string) => {
        const column = metric(key);
        return column < 0 ? undefined : group.cells[column];
      };
      const mean = accuracyCell(cell(`acc.${role}.mean`));
      const accuracy = Object.fromEntries(targets.map((target) => [target, accuracyCell(cell(`acc.${role}.${target}`))]));
      // A role this configuration does not train (source-only has no teacher) is no row of it.
      if (mean === undefined && Object.values(accuracy).every((value) => value === undefined)) return [];
      const cost = (key: string) => {
        const stats = cell(key);
        return stats?.kind === 'stats' ? stats.mean : undefined;
      };
      const name = roleDisplayName(role);
      return [
        {
          name: prefix ? `${prefix} ${name.charAt(0).toLowerCase()}${name.slice(1)}` : name,
          accuracy,
          mean,
          parameters: cost(`params.${role}`),
          macsPerImage: cost(`macs.${role}`),
          runs: group.rows.length,
        },
      ];
    });
  });
  const text = (value: CellValue | undefined) => (typeof value === 'string' && value !== '' ? value : undefined);
  const captionMethods = [...new Set(methods.flatMap((method) => (typeof method === 'string' ? [method] : [])))];
  const datasetRoot = text(agreed(groups.map((group) => sameValue(table, group, 'data.root'))));
  const groupTargets = text(agreed(groups.map((group) => sameValue(table, group, 'data.targets'))));
  return latexTable({
    targets,
    rows,
    caption: latexCaption({
      methods: captionMethods,
      datasetRoot,
      source: text(agreed(groups.map((group) => sameValue(table, group, 'data.source')))),
      targets: groupTargets === undefined ? targets : groupTargets.split(', '),
      runs: groups.map((group) => group.rows.length),
    }),
    label: latexLabel(captionMethods, datasetRoot),
  });
}
