/**
 * The message contract between the extension host and the results panel webview (both import it).
 * The state is the run's summary, a view of its run folder that src/runComparison computes.
 */
import type { RunSummary } from '../runComparison/runSummary';
import { isRecord } from '../util/isRecord';
import { bareMessage, type ReadyMessage } from './panelMessages';

export type { BaselineRow, EpochPoint, ModelRow } from '../runComparison/runSummary';

export const RESULTS_PANEL_VIEW_TYPE = 'kdUda.resultsPanel';

/** The panel shows a run's summary as a whole: each snapshot replaces the last. */
export type ResultsPanelState = RunSummary;

/** `error`: the run folder could not be read (the message says why); a later snapshot replaces it. */
export type HostToResultsPanel = { type: 'snapshot'; state: ResultsPanelState } | { type: 'error'; runDir: string; message: string };
/** `startSourceOnlyBaseline`: run KD-UDA: Start Source-Only Baseline of Run on this panel's run. */
export type ResultsPanelToHost = ReadyMessage | { type: 'openLog' } | { type: 'startSourceOnlyBaseline' };

export interface ResultsPanelPersistedState {
  runDir: string;
  metric?: 'last' | 'min' | 'max';
}

export function parseResultsPanelMessage(value: unknown): ResultsPanelToHost | undefined {
  return bareMessage(value, ['ready', 'openLog', 'startSourceOnlyBaseline']);
}

export function parseResultsPanelPersistedState(value: unknown): ResultsPanelPersistedState | undefined {
  if (!isRecord(value) || typeof value.runDir !== 'string' || value.runDir === '') return undefined;
  const metric = value.metric === 'min' || value.metric === 'max' || value.metric === 'last' ? value.metric : undefined;
  return metric ? { runDir: value.runDir, metric } : { runDir: value.runDir };
}
