/**
 * The message contract between the extension host and the Compare Runs panel webview (both import
 * it). The host sends the whole table; sorting, filtering and column choice happen in the webview,
 * on that snapshot, and persist there with setState.
 */
import { isPlotCost, type PlotCost } from '../runComparison/costPlotPoints';
import type { ComparisonTable, SortDirection } from '../runComparison/runComparison';
import { isRecord } from '../util/isRecord';
import { bareMessage, type ReadyMessage } from './panelMessages';

export const COMPARE_RUNS_PANEL_VIEW_TYPE = 'kdUda.compareRunsPanel';

export interface CompareRunsPanelState {
  /** The runs folder read; undefined without a workspace folder to resolve it against. */
  runsDir?: string;
  table: ComparisonTable;
}

/** `error`: the runs folder could not be read (the message says why); the last snapshot, if any, stays shown. */
export type HostToCompareRunsPanel = { type: 'snapshot'; state: CompareRunsPanelState } | { type: 'error'; runsDir?: string; message: string };

/** `openResults` runs KD-UDA: Open Results on a run of the last snapshot (the host checks it is one). */
export type CompareRunsPanelToHost = ReadyMessage | { type: 'openResults'; runDir: string } | ExportGroupedMessage;

/**
 * KD-UDA: Export Results on the table grouped by all but seed, as shown: the runs the filter keeps,
 * group after group in the order shown, and the keys of the columns shown. The host regroups those
 * runs of its last snapshot (it trusts no number from the webview).
 */
export interface ExportGroupedMessage {
  type: 'exportGrouped';
  runDirs: string[];
  columns: string[];
}

/** Bounds on what the host accepts: far above any real table, far below what would hurt the host. */
const MAX_PATH = 4096;
const MAX_RUNS = 100_000;
const MAX_COLUMNS = 10_000;
/** Expanded groups kept in the panel's state: the most recent choices (TableView keeps to it). */
export const MAX_EXPANDED_GROUPS = 1000;
const MAX_GROUP_KEY = 65_536;

const isStringList = (value: unknown, maxItems: number, maxLength: number): value is string[] =>
  Array.isArray(value) && value.length <= maxItems && value.every((item) => typeof item === 'string' && item !== '' && item.length <= maxLength);

/** What the webview keeps across hide and reload. */
export interface CompareRunsPanelPersistedState {
  sort?: { key: string; direction: SortDirection };
  filter?: string;
  onlyDiffering?: boolean;
  /** Column keys the user chose; undefined: each column's default. */
  columns?: string[];
  /** "Group by all but seed": one row per configuration. */
  grouped?: boolean;
  /** The keys of the groups shown with their runs (RunGroup.key). */
  expanded?: string[];
  /** The accuracy-versus-cost plot shown above the table. */
  plot?: boolean;
  /** What the plot's x axis measures; MACs per image when absent. */
  plotCost?: PlotCost;
}

/** The message, when it is one the host understands; undefined for anything else. */
export function parseCompareRunsPanelMessage(value: unknown): CompareRunsPanelToHost | undefined {
  if (isRecord(value) && value.type === 'openResults') {
    return Object.keys(value).length === 2 && typeof value.runDir === 'string' && value.runDir !== '' && value.runDir.length <= MAX_PATH
      ? { type: 'openResults', runDir: value.runDir }
      : undefined;
  }
  if (isRecord(value) && value.type === 'exportGrouped') {
    const { runDirs, columns } = value;
    return Object.keys(value).length === 3 && isStringList(runDirs, MAX_RUNS, MAX_PATH) && runDirs.length > 0 && isStringList(columns, MAX_COLUMNS, MAX_PATH)
      ? { type: 'exportGrouped', runDirs, columns }
      : undefined;
  }
  return bareMessage(value, ['ready']);
}

/** The persisted state with every field that is not understood left out (an empty state is valid). */
export function parseCompareRunsPanelPersistedState(value: unknown): CompareRunsPanelPersistedState {
  if (!isRecord(value)) return {};
  const state: CompareRunsPanelPersistedState = {};
  const sort = value.sort;
  if (isRecord(sort) && typeof sort.key === 'string' && (sort.direction === 'ascending' || sort.direction === 'descending'))
    state.sort = { key: sort.key, direction: sort.direction };
  if (typeof value.filter === 'string') state.filter = value.filter;
  if (typeof value.onlyDiffering === 'boolean') state.onlyDiffering = value.onlyDiffering;
  if (Array.isArray(value.columns) && value.columns.every((key) => typeof key === 'string')) state.columns = value.columns;
  if (typeof value.grouped === 'boolean') state.grouped = value.grouped;
  if (isStringList(value.expanded, MAX_EXPANDED_GROUPS, MAX_GROUP_KEY)) state.expanded = value.expanded;
  if (typeof value.plot === 'boolean') state.plot = value.plot;
  if (isPlotCost(value.plotCost)) state.plotCost = value.plotCost;
  return state;
}
