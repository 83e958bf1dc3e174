/**
 * Export Results of Compare Runs grouped by all but seed: one row per configuration, each metric
 * as mean ± sample std over its runs, as a paper prints it (accuracy in percent with one decimal,
 * costs as `62.0 k` / `6.18 M`, like the README's Digits table). CSV keeps mean, std and n apart.
 */
import { groupCellText, groupRuns, type GroupCell, type RunGroup } from './groupRuns';
import { csvCell, latexCell, type ExportFormat } from './resultsTableFormats';
import type { ComparisonColumn, ComparisonTable } from './runComparison';

type Stats = Extract<GroupCell, { kind: 'stats' }>;

/** A metric's number as printed: accuracy in percent, one decimal; a count in thousands or millions. */
function metricNumber(column: ComparisonColumn, value: number): string {
  if (column.kind === 'accuracy') return (100 * value).toFixed(1);
  if (column.kind === 'count') {
    if (Math.abs(value) >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
    if (Math.abs(value) >= 1e3) return `${(value / 1e3).toFixed(1)} k`;
    return String(Math.round(value));
  }
  return String(Number(value.toPrecision(4)));
}

/** A cost the same in every run (parameters, MACs) is printed once; an accuracy keeps its `± 0.0`. */
const showsSpread = (column: ComparisonColumn, stats: Stats): stats is Stats & { std: number } =>
  stats.std !== undefined && (column.kind === 'accuracy' || stats.std !== 0);

/** `55.0 ± 5.0`, with `(n = 2)` where fewer runs than the group's have the metric. */
function statsText(column: ComparisonColumn, stats: Stats, runs: number, latex: boolean): string {
  if (stats.mean === undefined) return '';
  const mean = metricNumber(column, stats.mean);
  const spread = showsSpread(column, stats) ? metricNumber(column, stats.std) : undefined;
  const fewer = stats.n < runs ? (latex ? ` ($n = ${stats.n}$)` : ` (n = ${stats.n})`) : '';
  if (latex) return `${spread === undefined ? latexCell(mean) : `$${mean} \\pm ${spread}$`}${fewer}`;
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
    return [statsText(column, cell, group.rows.length, format === 'latex')];
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
    case 'latex':
      return [
        '\\begin{table}[t]',
        '\\centering',
        `\\begin{tabular}{${numeric.map((right) => (right ? 'r' : 'l')).join('')}}`,
        '\\hline',
        `${header.map(latexCell).join(' & ')} \\\\`,
        '\\hline',
        // Metric cells are LaTeX already (`$55.0 \pm 5.0$`); the rest is text to escape.
        ...rows.map((row) => `${row.map((cell, i) => (numeric[i] && i > 1 ? cell : latexCell(cell))).join(' & ')} \\\\`),
        '\\hline',
        '\\end{tabular}',
        `\\caption{${latexCell(caption)}}`,
        '\\end{table}',
        '',
      ].join('\n');
  }
}
