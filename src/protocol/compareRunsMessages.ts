/**
 * The message contract between the extension host and the Compare Runs panel webview (both import
 * it). The host sends the whole table; sorting, filtering and column choice happen in the webview,
 * on that snapshot, and persist there with setState.
 */
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
export type CompareRunsPanelToHost = ReadyMessage | { type: 'openResults'; runDir: string };

/** What the webview keeps across hide and reload. */
export interface CompareRunsPanelPersistedState {
  sort?: { key: string; direction: SortDirection };
  filter?: string;
  onlyDiffering?: boolean;
  /** Column keys the user chose; undefined: each column's default. */
  columns?: string[];
}

/** The message, when it is one the host understands; undefined for anything else. */
export function parseCompareRunsPanelMessage(value: unknown): CompareRunsPanelToHost | undefined {
  if (isRecord(value) && value.type === 'openResults') {
    return Object.keys(value).length === 2 && typeof value.runDir === 'string' && value.runDir !== '' && value.runDir.length <= 4096
      ? { type: 'openResults', runDir: value.runDir }
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
  return state;
}
