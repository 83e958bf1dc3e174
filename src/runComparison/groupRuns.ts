/**
 * "Group by all but seed": the runs of one configuration as one row, every metric as mean, sample
 * standard deviation and n over them, as a paper reports a method over seeds. Pure (no Node or DOM
 * APIs): the webview groups what it shows with it, and Export Results writes the same groups.
 */
import { cellText, type CellValue, type ComparisonColumn, type ComparisonTable } from './runComparison';

/**
 * Experiment fields that runs of one configuration may differ in: the seed, and the run's name (a
 * sweep's runs share it, but the same configuration started from two files need not). Every other
 * field is configuration, `data.root` written differently included: the runs may have read other data.
 */
export const NOT_CONFIGURATION: ReadonlySet<string> = new Set(['seed', 'name']);

/** Over the runs of a group that have the metric (a finite number): n of them. */
export interface MetricStats {
  /** Absent when no run has the metric (n = 0). */
  mean?: number;
  /** Sample standard deviation (n − 1); absent for n < 2. */
  std?: number;
  n: number;
}

/** A group's cell: one value (the same in every run), the distinct values (sorted), or a metric's statistics. */
export type GroupCell = { kind: 'same'; value: CellValue } | { kind: 'differs'; values: CellValue[] } | ({ kind: 'stats' } & MetricStats);

export interface RunGroup {
  /** Stable across snapshots and reloads: the configuration itself (what the panel persists as expanded). */
  key: string;
  /** The runs' shared name, else the first run's id. */
  label: string;
  /** Indexes into the table's rows, in the order given. */
  rows: number[];
  /** One per column of the table. */
  cells: GroupCell[];
}

export function metricStats(values: readonly CellValue[]): MetricStats {
  const numbers = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
  const n = numbers.length;
  if (n === 0) return { n };
  const mean = numbers.reduce((sum, value) => sum + value, 0) / n;
  if (n === 1) return { mean, n };
  const squares = numbers.reduce((sum, value) => sum + (value - mean) ** 2, 0);
  return { mean, std: Math.sqrt(squares / (n - 1)), n };
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Numbers ascending, then text in natural order, missing last: seeds read `0, 1, 2`. */
function compareValues(a: CellValue, b: CellValue): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return collator.compare(String(a), String(b));
}

function valueCell(values: readonly CellValue[]): GroupCell {
  const distinct = [...new Set(values)];
  return distinct.length === 1 ? { kind: 'same', value: distinct[0] } : { kind: 'differs', values: distinct.sort(compareValues) };
}

/**
 * What makes runs one configuration: every experiment field but NOT_CONFIGURATION, by key, so the
 * key does not change when another run adds a column. A run without any experiment field (its
 * experiment.json unreadable) is a configuration of its own: nothing says it equals another.
 */
function configurationKey(table: ComparisonTable, row: number, configurationColumns: readonly number[]): string {
  const { cells, runDir } = table.rows[row];
  const fields = configurationColumns.flatMap((index) => (cells[index] === null ? [] : [[table.columns[index].key, cells[index]] as const]));
  if (fields.length === 0 && !table.columns.some((column, index) => column.group === 'experiment' && cells[index] !== null))
    return JSON.stringify({ run: runDir });
  return JSON.stringify(fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function groupLabel(table: ComparisonTable, rows: readonly number[]): string {
  const nameColumn = table.columns.findIndex((column) => column.group === 'experiment' && column.key === 'name');
  const names = new Set(rows.map((row) => (nameColumn >= 0 ? table.rows[row].cells[nameColumn] : null)));
  const [name] = names;
  return names.size === 1 && typeof name === 'string' && name !== '' ? name : table.rows[rows[0]].runId;
}

/**
 * The given rows (all by default) grouped by configuration: groups in the order of their first run
 * among `rows`, each group's runs in that order too, so a sorted, filtered table groups the same
 * way every time. Metric columns become statistics; the run column, the group's label; any other
 * column, its value when the runs agree and the distinct values when they do not (the seeds).
 */
export function groupRuns(table: ComparisonTable, rows: readonly number[] = table.rows.map((_, index) => index)): RunGroup[] {
  const configurationColumns = table.columns.flatMap((column, index) => (column.group === 'experiment' && !NOT_CONFIGURATION.has(column.key) ? [index] : []));
  const byKey = new Map<string, number[]>();
  for (const row of rows) {
    const key = configurationKey(table, row, configurationColumns);
    const members = byKey.get(key);
    if (members) members.push(row);
    else byKey.set(key, [row]);
  }
  return [...byKey].map(([key, members]) => {
    const label = groupLabel(table, members);
    const cells = table.columns.map((column, index): GroupCell => {
      if (index === 0) return { kind: 'same', value: label };
      const values = members.map((row) => table.rows[row].cells[index]);
      return column.group === 'metric' ? { kind: 'stats', ...metricStats(values) } : valueCell(values);
    });
    return { key, label, rows: members, cells };
  });
}

/** A group's cell as the panel shows it (and the filter would match it): `55.0 ± 5.0 (3)` for an accuracy. */
export function groupCellText(column: ComparisonColumn, cell: GroupCell): string {
  switch (cell.kind) {
    case 'same':
      return cellText(column, cell.value);
    case 'differs':
      // Distinct as shown: start times a few seconds apart read as one minute, once.
      return [...new Set(cell.values.map((value) => cellText(column, value) || '–'))].join(', ');
    case 'stats': {
      if (cell.mean === undefined) return '';
      // Percent without its sign: `55.0 ± 5.0` reads as the papers print it, the header says what it is.
      const show = (value: number) => (column.kind === 'accuracy' ? (100 * value).toFixed(1) : cellText(column, value));
      return `${show(cell.mean)}${cell.std === undefined ? '' : ` ± ${show(cell.std)}`} (${cell.n})`;
    }
  }
}

/** What a group sorts by in a column: a metric's mean, a shared value, or the differing values as text. */
export function groupSortValue(column: ComparisonColumn, cell: GroupCell): CellValue {
  switch (cell.kind) {
    case 'same':
      return cell.value;
    case 'differs':
      return groupCellText(column, cell);
    case 'stats':
      return cell.mean ?? null;
  }
}

/** The groups as a table of one row per group (cells: what each sorts by), for the table's sort and "only what differs". */
export function groupsAsTable(table: ComparisonTable, groups: readonly RunGroup[]): ComparisonTable {
  return {
    columns: table.columns,
    rows: groups.map((group) => ({
      runId: group.label,
      runDir: group.key,
      cells: group.cells.map((cell, index) => groupSortValue(table.columns[index], cell)),
    })),
  };
}
