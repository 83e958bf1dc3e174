/**
 * The message contract between the extension host and the results panel webview (both import it).
 * The state is the run's summary, a view of its run folder that src/runComparison computes.
 */
import type { RunSummary } from '../runComparison/runSummary';

export type { BaselineRow, EpochPoint, ModelRow } from '../runComparison/runSummary';

export const RESULTS_PANEL_VIEW_TYPE = 'kdUda.resultsPanel';

/** The panel shows a run's summary as a whole: each snapshot replaces the last. */
export type ResultsPanelState = RunSummary;

/** `error`: the run folder could not be read (the message says why); a later snapshot replaces it. */
export type HostToResultsPanel = { type: 'snapshot'; state: ResultsPanelState } | { type: 'error'; runDir: string; message: string };
export type ResultsPanelToHost = { type: 'ready' } | { type: 'openLog' };

export interface ResultsPanelPersistedState {
  runDir: string;
  metric?: 'last' | 'min' | 'max';
}

export function parseResultsPanelMessage(value: unknown): ResultsPanelToHost | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { type } = value as { type?: unknown };
  if ((type === 'ready' || type === 'openLog') && Object.keys(value).length === 1) return { type };
  return undefined;
}

export function parseResultsPanelPersistedState(value: unknown): ResultsPanelPersistedState | undefined {
  const state = value as Partial<ResultsPanelPersistedState> | null;
  if (typeof state?.runDir !== 'string' || state.runDir === '') return undefined;
  const metric = state.metric === 'min' || state.metric === 'max' || state.metric === 'last' ? state.metric : undefined;
  return metric ? { runDir: state.runDir, metric } : { runDir: state.runDir };
}
