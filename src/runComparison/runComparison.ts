/**
 * The Compare Runs table: one row per run folder, the run's own fields, every experiment field
 * (flattened to a dotted path) and its headline metrics as columns. Pure and free of Node and DOM
 * APIs: the host builds the table with it, and the webview sorts, filters and formats with the very
 * same functions, so what the unit tests check is what the panel does.
 */
import type { LatencySpread } from '../runFolder/inferenceLatency';
import type { RunState } from '../runFolder/runFolderFormat';

export type CellValue = string | number | boolean | null;

/** How a column's values are shown and compared. */
/** `milliseconds`: a time, shown to 3 significant digits (the header names the unit). */
export type ColumnKind = 'text' | 'number' | 'date' | 'accuracy' | 'count' | 'milliseconds';

export type ColumnGroup = 'run' | 'experiment' | 'metric';

export interface ComparisonColumn {
  /** Unique; what `key:value` filter terms name (e.g. `method.name`, `acc.student.mean`). */
  key: string;
  label: string;
  group: ColumnGroup;
  kind: ColumnKind;
  /**
   * Shown until the user chooses columns: the run, its method, its source → targets (LEADING_KEYS),
   * each model's mean target accuracy (online-kd: branch-1 and the aggregate) and the deployed
   * student's costs.
   */
  shownByDefault: boolean;
}

export interface ComparisonRow {
  runId: string;
  runDir: string;
  /** Why (part of) the run folder could not be read. */
  problem?: string;
  /** One value per column of the table, in column order; null where the run has no such field. */
  cells: CellValue[];
  /** Per latency column's key (`latency.<role>`), the spread and count behind its median, where the run recorded them. */
  latencySpreads?: Record<string, LatencySpread>;
}

export interface ComparisonTable {
  columns: ComparisonColumn[];
  rows: ComparisonRow[];
}

/** One model's metrics in a run: last-epoch accuracy per target and their mean, and its costs. */
export interface ModelMetrics {
  role: string;
  accuracy: Record<string, number>;
  /** Over the targets with a value; absent when there is none. */
  meanTarget?: number;
  parameters?: number;
  macsPerImage?: number;
  /** Median inference time per image (ms), on the backend the run measured it on. */
  latencyMsPerImage?: number;
  /** Its quartiles per image, batch count and noisy flag; absent from runs of older trainers. */
  latencySpreadPerImage?: LatencySpread;
}

/** What one run folder contributes to the table, as read from disk. */
export interface RunRecord {
  runId: string;
  runDir: string;
  state?: RunState;
  startedAt?: string;
  epochsRun?: number;
  /** experiment.json as written by the trainer (any JSON; flattened as it is). */
  experiment?: unknown;
  targets: string[];
  models: ModelMetrics[];
  problem?: string;
}

/** The derived `source → targets` column (a run column, so no experiment field can shadow it). */
export const DOMAINS_KEY = 'domains';

const RUN_COLUMNS: readonly ComparisonColumn[] = [
  { key: 'run', label: 'run', group: 'run', kind: 'text', shownByDefault: true },
  { key: 'state', label: 'state', group: 'run', kind: 'text', shownByDefault: false },
  { key: 'started', label: 'started (UTC)', group: 'run', kind: 'date', shownByDefault: false },
  { key: 'epochsRun', label: 'epochs run', group: 'run', kind: 'number', shownByDefault: false },
  { key: DOMAINS_KEY, label: 'source → targets', group: 'run', kind: 'text', shownByDefault: true },
];

/** Shown on open and put first, in this order, whatever the experiment's field order: what a reader looks for first. */
const LEADING_KEYS: readonly string[] = ['run', 'method.name', DOMAINS_KEY];

/** `mnist → mnist-photo, usps` from the experiment's flattened `data.source` and `data.targets`; null without a source. */
export function domainsText(fields: ReadonlyMap<string, CellValue>): string | null {
  const source = fields.get('data.source');
  if (source === undefined || source === null || source === '') return null;
  const targets = fields.get('data.targets');
  return targets === undefined || targets === null || targets === '' ? String(source) : `${String(source)} → ${String(targets)}`;
}

/** Leaves of a JSON value as dotted paths; arrays of plain values are one cell (`a, b`). */
export function flattenFields(value: unknown, prefix = '', into: Map<string, CellValue> = new Map()): Map<string, CellValue> {
  if (value === null || value === undefined) {
    if (prefix) into.set(prefix, null);
  } else if (Array.isArray(value)) {
    const plain = value.every((item) => item === null || typeof item !== 'object');
    into.set(prefix, plain ? value.map(String).join(', ') : JSON.stringify(value));
  } else if (typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) flattenFields(child, prefix ? `${prefix}.${key}` : key, into);
  } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    into.set(prefix, value);
  }
  return into;
}

/**
 * The student first (the compact model a run is for), then online-kd's branches (branch-1 is its
 * deployable student) and their gated aggregate, then the teachers, then anything else.
 */
function roleRank(role: string): number {
  if (role === 'student') return 0;
  if (/^branch-\d+$/.test(role)) return 1;
  if (role === 'aggregate') return 2;
  return role === 'teacher' || role.startsWith('teacher-') ? 3 : 4;
}

/** online-kd's branches after its first: each is a student like branch-1, so the table opens on one of them. */
const isFurtherBranch = (role: string): boolean => /^branch-\d+$/.test(role) && role !== 'branch-1';

/** The models whose costs the table opens on: the ones a run deploys. */
const isDeployedStudent = (role: string): boolean => role === 'student' || role === 'branch-1';

/** Where a metric column goes: by model (see roleRank), and within a model its mean, its targets, then its costs. */
interface MetricPlace {
  role: string;
  slot: 'mean' | 'target' | 'params' | 'macs' | 'latency';
}
const SLOT_RANK: Record<MetricPlace['slot'], number> = { mean: 0, target: 1, params: 2, macs: 3, latency: 4 };

const roleCollator = new Intl.Collator('en', { numeric: true });

function compareMetricPlaces(a: MetricPlace, b: MetricPlace): number {
  return roleRank(a.role) - roleRank(b.role) || roleCollator.compare(a.role, b.role) || SLOT_RANK[a.slot] - SLOT_RANK[b.slot];
}

function metricColumns(record: RunRecord): { column: ComparisonColumn; value: CellValue; place: MetricPlace }[] {
  const models = record.models;
  const out: { column: ComparisonColumn; value: CellValue; place: MetricPlace }[] = [];
  for (const model of models) {
    const role = model.role;
    const deployed = isDeployedStudent(role);
    out.push({
      column: { key: `acc.${role}.mean`, label: `${role} mean`, group: 'metric', kind: 'accuracy', shownByDefault: !isFurtherBranch(role) },
      value: model.meanTarget ?? null,
      place: { role, slot: 'mean' },
    });
    for (const target of record.targets) {
      out.push({
        column: { key: `acc.${role}.${target}`, label: `${role} ${target}`, group: 'metric', kind: 'accuracy', shownByDefault: false },
        value: model.accuracy[target] ?? null,
        place: { role, slot: 'target' },
      });
    }
    if (model.parameters !== undefined)
      out.push({
        column: { key: `params.${role}`, label: `${role} params`, group: 'metric', kind: 'count', shownByDefault: deployed },
        value: model.parameters,
        place: { role, slot: 'params' },
      });
    if (model.macsPerImage !== undefined)
      out.push({
        column: { key: `macs.${role}`, label: `${role} MACs/image`, group: 'metric', kind: 'count', shownByDefault: deployed },
        value: model.macsPerImage,
        place: { role, slot: 'macs' },
      });
    if (model.latencyMsPerImage !== undefined)
      out.push({
        column: { key: `latency.${role}`, label: `${role} ms/image`, group: 'metric', kind: 'milliseconds', shownByDefault: false },
        value: model.latencyMsPerImage,
        place: { role, slot: 'latency' },
      });
  }
  return out;
}

/**
 * The table over all runs. Columns are the union over runs, in the order first met (runs' own
 * fields, then experiment fields in the file's order, then metrics), so runs of different methods,
 * targets or format versions sit side by side with empty cells where a field is absent. A key is
 * claimed by the first column that uses it (an experiment field cannot shadow `run` or `state`).
 */
export function buildComparisonTable(records: readonly RunRecord[]): ComparisonTable {
  const columns = new Map<string, { column: ComparisonColumn; index: number }>();
  /** The column's index; undefined when its key is already another group's. */
  const claim = (column: ComparisonColumn): number | undefined => {
    let entry = columns.get(column.key);
    if (!entry) {
      entry = { column, index: columns.size };
      columns.set(column.key, entry);
    }
    return entry.column.group === column.group ? entry.index : undefined;
  };
  for (const column of RUN_COLUMNS) claim(column);
  const perRun = records.map((record) => {
    // In RUN_COLUMNS' order, which claimed indexes 0 to 4.
    const fields = flattenFields(record.experiment);
    const own: CellValue[] = [
      record.runId,
      record.state ?? (record.problem ? 'unreadable' : null),
      record.startedAt ?? null,
      record.epochsRun ?? null,
      domainsText(fields),
    ];
    const values = new Map<number, CellValue>(own.map((value, index) => [index, value]));
    for (const [key, value] of fields) {
      const shownByDefault = LEADING_KEYS.includes(key);
      const index = claim({ key, label: key, group: 'experiment', kind: typeof value === 'number' ? 'number' : 'text', shownByDefault });
      if (index !== undefined) values.set(index, value);
    }
    return { record, values };
  });
  // Metrics go after every experiment field, so a second run's extra field does not land among them.
  const places = new Map<number, MetricPlace>();
  for (const { record, values } of perRun) {
    for (const { column, value, place } of metricColumns(record)) {
      const index = claim(column);
      if (index === undefined) continue;
      values.set(index, value);
      if (!places.has(index)) places.set(index, place);
    }
  }
  // Metrics in one order whatever run came first: a KD-MTDA run's teacher beside an MT-MTDA run's teachers.
  const byPlace = (a: { index: number }, b: { index: number }): number => {
    const placeA = places.get(a.index);
    const placeB = places.get(b.index);
    return placeA && placeB ? compareMetricPlaces(placeA, placeB) || a.index - b.index : a.index - b.index;
  };
  const lead = (entry: { column: ComparisonColumn }): number => {
    const rank = LEADING_KEYS.indexOf(entry.column.key);
    return rank < 0 ? LEADING_KEYS.length : rank;
  };
  const entries = [...columns.values()].sort(byPlace).sort((a, b) => lead(a) - lead(b));
  const ordered = entries.map((entry) => entry.column);
  return {
    columns: ordered,
    rows: perRun.map(({ record, values }) => ({
      runId: record.runId,
      runDir: record.runDir,
      ...(record.problem ? { problem: record.problem } : {}),
      cells: entries.map((entry) => values.get(entry.index) ?? null),
      ...latencySpreadsOf(record),
    })),
  };
}

/** The run's latency spreads by column key, as metricColumns names the latency columns. */
function latencySpreadsOf(record: RunRecord): { latencySpreads?: Record<string, LatencySpread> } {
  const spreads = record.models.flatMap((model) => (model.latencySpreadPerImage ? [[`latency.${model.role}`, model.latencySpreadPerImage] as const] : []));
  return spreads.length ? { latencySpreads: Object.fromEntries(spreads) } : {};
}

const compactNumber = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** A cell as the panel shows it (and as the filter matches it); '' for a missing value, a non-finite number included (never "NaN"). */
export function cellText(column: ComparisonColumn, value: CellValue): string {
  if (value === null) return '';
  if (typeof value === 'number' && !Number.isFinite(value)) return '';
  switch (column.kind) {
    case 'accuracy':
      return typeof value === 'number' ? `${(100 * value).toFixed(1)}%` : String(value);
    case 'count':
      return typeof value === 'number' ? compactNumber.format(value) : String(value);
    case 'milliseconds':
      return typeof value === 'number' ? String(Number(value.toPrecision(3))) : String(value);
    case 'date':
      // ISO timestamps read as `2026-11-28 10:04` (UTC, as the trainer writes them).
      return typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value) ? value.slice(0, 16).replace('T', ' ') : String(value);
    default:
      return String(value);
  }
}

export type SortDirection = 'ascending' | 'descending';

/** A header's first click: accuracies best first (descending); everything else, costs included (cheapest first), ascending. */
export function firstSortDirection(column: ComparisonColumn): SortDirection {
  return column.kind === 'accuracy' ? 'descending' : 'ascending';
}

/** Which way is better in a metric column: higher accuracy, lower cost; undefined for columns that have no best. */
export function betterDirection(column: ComparisonColumn): 'higher' | 'lower' | undefined {
  if (column.group !== 'metric') return undefined;
  return column.kind === 'accuracy' ? 'higher' : column.kind === 'count' || column.kind === 'milliseconds' ? 'lower' : undefined;
}

/**
 * The best value of each metric column over the given rows (the ones shown): the highest accuracy,
 * the lowest cost, keyed by the set of rows it is best among. A mean target accuracy is best among
 * the rows of the same source → targets (a mean over one easy target says nothing against a mean
 * over three); every other column, a per-target accuracy or a cost, among all of them. Undefined
 * for columns that have no best. A set whose values are all the same (or that has one) has none.
 */
export type BestValues = (Map<string, number> | undefined)[];

const MEAN_ACCURACY_KEY = /^acc\..+\.mean$/;

/** Which rows a cell competes with in its column: those with the same source → targets for a mean accuracy, else all. */
function cohortOf(table: ComparisonTable, row: number, column: number, domainsColumn: number): string {
  if (domainsColumn < 0 || !MEAN_ACCURACY_KEY.test(table.columns[column].key)) return '';
  return String(table.rows[row]?.cells[domainsColumn] ?? '');
}

const domainsColumnOf = (table: ComparisonTable): number => table.columns.findIndex((column) => column.key === DOMAINS_KEY && column.group === 'run');

export function bestValues(table: ComparisonTable, rows: readonly number[]): BestValues {
  const domainsColumn = domainsColumnOf(table);
  return table.columns.map((column, index) => {
    const better = betterDirection(column);
    if (!better) return undefined;
    const extremes = new Map<string, { best: number; worst: number }>();
    for (const row of rows) {
      const value = table.rows[row].cells[index];
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      const cohort = cohortOf(table, row, index, domainsColumn);
      const seen = extremes.get(cohort);
      if (!seen) extremes.set(cohort, { best: value, worst: value });
      else {
        if (better === 'higher' ? value > seen.best : value < seen.best) seen.best = value;
        if (better === 'higher' ? value < seen.worst : value > seen.worst) seen.worst = value;
      }
    }
    // One value shared by every row that has one is no best: a star on every cell would say nothing.
    return new Map([...extremes].flatMap(([cohort, { best, worst }]) => (best === worst ? [] : [[cohort, best] as const])));
  });
}

/** Whether a row's cell holds the best value among the rows it competes with (ties all are). */
export function isBestValue(table: ComparisonTable, best: BestValues, row: number, column: number): boolean {
  const value = table.rows[row]?.cells[column];
  const bestOfColumn = best[column];
  if (bestOfColumn === undefined || typeof value !== 'number') return false;
  return bestOfColumn.get(cohortOf(table, row, column, domainsColumnOf(table))) === value;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Missing values compare after everything; numbers before text; text in natural order (`run-2` < `run-10`). */
function compareCells(a: CellValue, b: CellValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return collator.compare(String(a), String(b));
}

const isMissing = (value: CellValue): boolean => value === null || value === '' || (typeof value === 'number' && Number.isNaN(value));

/**
 * Row indexes ordered by one column. Missing values go last in either direction, so a sort never
 * buries the runs that have the value under those that lack it; ties keep the table's order.
 */
export function sortRows(table: ComparisonTable, columnIndex: number, direction: SortDirection): number[] {
  const sign = direction === 'ascending' ? 1 : -1;
  const order = table.rows.map((_, index) => index);
  return order.sort((i, j) => {
    const a = table.rows[i].cells[columnIndex];
    const b = table.rows[j].cells[columnIndex];
    const missingA = isMissing(a);
    const missingB = isMissing(b);
    if (missingA || missingB) return missingA === missingB ? i - j : missingA ? 1 : -1;
    return sign * compareCells(a, b) || i - j;
  });
}

/** A parsed filter: every term must match (AND). */
export interface FilterTerm {
  /** Lower-cased text to find. */
  text: string;
  /** Column indexes a `field:value` term is limited to; undefined: any cell. */
  columns?: number[];
}

/**
 * Parses filter text: words match anywhere in a row; `field:value` matches `value` within the
 * column `field` or any column whose key ends with `.field` (`architecture:lenet5` looks at
 * `teacher.architecture` and `student.architecture`). A `field` that names no column is searched
 * as plain text (`10:04` finds a start time). `"quoted words"` keep their spaces. Case is ignored.
 */
export function parseFilter(text: string, columns: readonly ComparisonColumn[]): FilterTerm[] {
  const terms: FilterTerm[] = [];
  for (const raw of text.match(/(?:[^\s"]+|"[^"]*"?)+/g) ?? []) {
    const word = raw.replace(/"/g, '').toLowerCase();
    if (word === '') continue;
    const colon = word.indexOf(':');
    if (colon > 0) {
      const field = word.slice(0, colon);
      const matching = columns.flatMap((column, index) => {
        const key = column.key.toLowerCase();
        return key === field || key.endsWith(`.${field}`) ? [index] : [];
      });
      if (matching.length) {
        terms.push({ text: word.slice(colon + 1), columns: matching });
        continue;
      }
    }
    terms.push({ text: word });
  }
  return terms;
}

/** Per row, every cell's shown text lower-cased: built once per table, so filtering is string search only. */
export interface SearchIndex {
  cells: string[][];
  /** All of a row's cells joined by a separator no term can contain. */
  whole: string[];
}

export function buildSearchIndex(table: ComparisonTable): SearchIndex {
  const cells = table.rows.map((row) => row.cells.map((value, index) => cellText(table.columns[index], value).toLowerCase()));
  return { cells, whole: cells.map((texts) => texts.join('\n')) };
}

export function rowMatches(index: SearchIndex, row: number, terms: readonly FilterTerm[]): boolean {
  return terms.every((term) =>
    term.columns ? term.columns.some((column) => index.cells[row][column].includes(term.text)) : index.whole[row].includes(term.text),
  );
}

/**
 * Which columns have values that are not all equal over the given rows (a field present in one run
 * and absent in another differs). What "only what differs" keeps.
 */
export function differingColumns(table: ComparisonTable, rows: readonly number[]): boolean[] {
  return table.columns.map((_, column) => {
    if (rows.length === 0) return false;
    const first = table.rows[rows[0]].cells[column];
    return rows.some((row) => table.rows[row].cells[column] !== first);
  });
}
