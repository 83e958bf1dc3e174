/**
 * The points of Compare Runs' accuracy-versus-cost plot, from the comparison table as the panel
 * shows it: one per model (every role with a mean target accuracy and the cost) of each run shown,
 * or, grouped by all but seed, of each configuration (mean, std and n over its runs), with the
 * Pareto front over all of them. Pure (no DOM, no Node): the webview draws what this returns, and
 * the unit tests check the same points.
 */
import type { RunGroup } from './groupRuns';
import { paretoFront } from './paretoFront';
import { formatSi } from './plotAxes';
import type { CellValue, ComparisonTable } from './runComparison';

/** What the x axis measures: a column prefix of the table (`macs.student`, `params.teacher`, `latency.student`). */
export type PlotCost = 'macs' | 'params' | 'latency';

export const PLOT_COSTS: readonly PlotCost[] = ['macs', 'params', 'latency'];

export const isPlotCost = (value: unknown): value is PlotCost => typeof value === 'string' && (PLOT_COSTS as readonly string[]).includes(value);

/** The axis title and how one value reads (`651.7k MACs`). */
export const PLOT_COST_TEXT: Readonly<Record<PlotCost, { choice: string; axis: string; value: (cost: number) => string }>> = {
  macs: { choice: 'MACs per image', axis: 'MACs per image', value: (cost) => `${formatSi(cost)} MACs` },
  params: { choice: 'Parameters', axis: 'Parameters', value: (cost) => `${formatSi(cost)} parameters` },
  latency: { choice: 'Latency per image', axis: 'Latency (ms per image)', value: (cost) => `${formatSi(cost)} ms per image` },
};

/** The column that names a run's method: what colours its points. */
export const METHOD_COLUMN = 'method.name';

export interface PlotPoint {
  /** Unique among the points: the run folder (or group key) and the role. */
  key: string;
  /** What a click opens: the run, or the first run of the group as shown. */
  runDir: string;
  /** The run's id, or the group's label. */
  label: string;
  /** Runs in the group; 1 for a run. */
  runs: number;
  grouped: boolean;
  role: string;
  /** The run's `method.name`; '' when it has none. */
  method: string;
  /** Mean target accuracy, 0..1 (a group's: the mean over its runs). */
  accuracy: number;
  /** A group's sample standard deviation of the accuracy; absent for a run or a group with one run that has it. */
  std?: number;
  /** Runs the accuracy is over: 1 for a run. */
  n: number;
  /** Positive (the axis is logarithmic); a group's: its runs' mean. */
  cost: number;
  onFront: boolean;
}

export interface CostPlotData {
  points: PlotPoint[];
  /** Indexes into `points` of the front's, cheapest first. */
  front: number[];
  /** The methods of the points, in natural order: a method's colour and marker are its place here. */
  methods: string[];
  /** Models with a mean accuracy but no positive cost of this kind: not drawn, and said so. */
  withoutCost: number;
}

const ACCURACY_KEY = /^acc\.(.+)\.mean$/;

const finite = (value: CellValue): value is number => typeof value === 'number' && Number.isFinite(value);

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Per role with a mean-accuracy column: that column and the cost's (undefined where no run has the cost). */
function roleColumns(table: ComparisonTable, cost: PlotCost): { role: string; accuracy: number; cost: number | undefined }[] {
  const byKey = new Map(table.columns.map((column, index) => [column.key, index]));
  return table.columns.flatMap((column, index) => {
    const role = column.group === 'metric' ? ACCURACY_KEY.exec(column.key)?.[1] : undefined;
    return role === undefined ? [] : [{ role, accuracy: index, cost: byKey.get(`${cost}.${role}`) }];
  });
}

/**
 * The plot's points over `rows` (indexes into the table, as the filter and sort leave them), or
 * over `groups` (groupRuns of those rows) when grouped. A model without a mean accuracy is not a
 * point; one with an accuracy but no positive cost is counted in `withoutCost`.
 */
export function costPlotPoints(table: ComparisonTable, rows: readonly number[], cost: PlotCost, groups?: readonly RunGroup[]): CostPlotData {
  const roles = roleColumns(table, cost);
  const methodColumn = table.columns.findIndex((column) => column.key === METHOD_COLUMN && column.group === 'experiment');
  const points: PlotPoint[] = [];
  let withoutCost = 0;
  const add = (point: Omit<PlotPoint, 'onFront' | 'cost'>, costValue: number | undefined) => {
    if (costValue !== undefined && Number.isFinite(costValue) && costValue > 0) points.push({ ...point, cost: costValue, onFront: false });
    else withoutCost++;
  };
  if (groups) {
    for (const group of groups) {
      const method = methodColumn < 0 ? undefined : group.cells[methodColumn];
      const methodText = method?.kind === 'same' ? String(method.value ?? '') : method?.kind === 'differs' ? method.values.map(String).join(', ') : '';
      const first = table.rows[group.rows[0]];
      for (const role of roles) {
        const accuracy = group.cells[role.accuracy];
        if (accuracy?.kind !== 'stats' || accuracy.mean === undefined) continue;
        const costCell = role.cost === undefined ? undefined : group.cells[role.cost];
        add(
          {
            key: `${group.key}\n${role.role}`,
            runDir: first.runDir,
            label: group.label,
            runs: group.rows.length,
            grouped: true,
            role: role.role,
            method: methodText,
            accuracy: accuracy.mean,
            ...(accuracy.std === undefined ? {} : { std: accuracy.std }),
            n: accuracy.n,
          },
          costCell?.kind === 'stats' ? costCell.mean : undefined,
        );
      }
    }
  } else {
    for (const index of rows) {
      const row = table.rows[index];
      const method = methodColumn < 0 ? null : row.cells[methodColumn];
      for (const role of roles) {
        const accuracy = row.cells[role.accuracy];
        if (!finite(accuracy)) continue;
        const costValue = role.cost === undefined ? null : row.cells[role.cost];
        add(
          {
            key: `${row.runDir}\n${role.role}`,
            runDir: row.runDir,
            label: row.runId,
            runs: 1,
            grouped: false,
            role: role.role,
            method: method === null ? '' : String(method),
            accuracy,
            n: 1,
          },
          finite(costValue) ? costValue : undefined,
        );
      }
    }
  }
  const front = paretoFront(points);
  for (const index of front) points[index].onFront = true;
  const methods = [...new Set(points.map((point) => point.method))].sort(collator.compare);
  return { points, front, methods, withoutCost };
}

/** Accuracy in percent, one decimal, as the table shows it. */
export const percent = (value: number): string => `${(100 * value).toFixed(1)}%`;

/** A point's accuracy as read: `48.4%`, or a group's `55.0 ± 5.0% (n = 3)`. */
export function pointAccuracyText(point: PlotPoint): string {
  if (!point.grouped) return percent(point.accuracy);
  const spread = point.std === undefined ? '' : ` ± ${(100 * point.std).toFixed(1)}`;
  return `${(100 * point.accuracy).toFixed(1)}${spread}% (n = ${point.n})`;
}

/** What a point is, in words, for a screen reader and the tooltip's first line: `run X, student: 48.4% at 651.7k MACs`. */
export function pointLabel(point: PlotPoint, cost: PlotCost): string {
  const what = point.grouped ? `${point.label} (${point.runs} ${point.runs === 1 ? 'run' : 'runs'})` : `run ${point.label}`;
  const front = point.onFront ? ', on the Pareto front' : '';
  return `${what}, ${point.role}: ${pointAccuracyText(point)} at ${PLOT_COST_TEXT[cost].value(point.cost)}${front}`;
}
