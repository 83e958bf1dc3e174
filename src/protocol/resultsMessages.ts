/**
 * The message contract between the extension host and the results panel webview (both import it).
 * The state is the run's summary, a view of its run folder that src/runComparison computes.
 */
import type { RunSummary } from '../runComparison/runSummary';
import { checkTrainingProgress, type TrainingProgress } from '../runComparison/trainingProgress';
import { isRecord } from '../util/isRecord';
import { bareMessage, type ReadyMessage } from './panelMessages';

export type { BaselineRow, EpochPoint, ModelRow } from '../runComparison/runSummary';

export const RESULTS_PANEL_VIEW_TYPE = 'kdUda.resultsPanel';

/** The panel shows a run's summary as a whole: each snapshot replaces the last. */
export type ResultsPanelState = RunSummary;

/**
 * `progress`: where a running trainer stands inside its epochs (null while the run is not
 * training: queued, done, stopped, or before its first step), sent after each snapshot.
 */
export interface ResultsProgressMessage {
  type: 'progress';
  running: boolean;
  progress: TrainingProgress | null;
}

/** `error`: the run folder could not be read (the message says why); a later snapshot replaces it. */
export type HostToResultsPanel = { type: 'snapshot'; state: ResultsPanelState } | { type: 'error'; runDir: string; message: string } | ResultsProgressMessage;

/** A `progress` message checked field by field; the error names the field that does not fit. */
export function parseResultsProgressMessage(value: unknown): ResultsProgressMessage {
  if (!isRecord(value) || value.type !== 'progress') throw new Error('type is not "progress"');
  if (typeof value.running !== 'boolean') throw new Error('running is not true or false');
  return { type: 'progress', running: value.running, progress: value.progress === null ? null : checkTrainingProgress(value.progress, 'progress') };
}
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
