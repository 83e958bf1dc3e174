/**
 * The message contract between the extension host and the results panel webview (both import it).
 */
import type { RunState } from '../runFolder/runFolderFormat';
import { isRecord } from '../util/isRecord';
import { bareMessage, type ReadyMessage } from './panelMessages';

export const RESULTS_PANEL_VIEW_TYPE = 'kdUda.resultsPanel';

export interface EpochPoint {
  epoch: number;
  /** accuracy[model][domain], 0..1, targets and the source hold-out. */
  accuracy: Record<string, Record<string, number>>;
  /** Mean of each loss term over the epoch's steps. */
  losses: Record<string, number>;
  beta?: number;
}

export interface ModelRow {
  role: string;
  /** Last epoch's accuracy per target (the headline: no target label chooses it). */
  targets: Record<string, number>;
  /** Mean over the targets with a value; absent when there is none. */
  meanTarget?: number;
  parameters?: number;
  macsPerImage?: number;
  latencyMsPerBatch?: number;
  latencyBatchSize?: number;
}

/** A model of another finished run on the same data that this run is judged against. */
export interface BaselineRow {
  /** What it is, e.g. "student, source only". */
  label: string;
  runId: string;
  /** That run's headline (last epoch) accuracy per target. */
  targets: Record<string, number>;
  meanTarget?: number;
  parameters?: number;
  macsPerImage?: number;
}

export interface ResultsPanelState {
  runId: string;
  runDir: string;
  state?: RunState;
  error?: string;
  targets: string[];
  epochs?: number;
  lastEpoch?: number;
  rows: ModelRow[];
  /** Source-only and directly adapted runs on the same data, source and targets, when the runs folder has them. */
  baselines: BaselineRow[];
  history: EpochPoint[];
  /** Lines of events.jsonl that could not be read (skipped). */
  skippedEventLines: number[];
}

/** `error`: the run folder could not be read (the message says why); a later snapshot replaces it. */
export type HostToResultsPanel = { type: 'snapshot'; state: ResultsPanelState } | { type: 'error'; runDir: string; message: string };
export type ResultsPanelToHost = ReadyMessage | { type: 'openLog' };

export interface ResultsPanelPersistedState {
  runDir: string;
  metric?: 'last' | 'min' | 'max';
}

export function parseResultsPanelMessage(value: unknown): ResultsPanelToHost | undefined {
  return bareMessage(value, ['ready', 'openLog']);
}

export function parseResultsPanelPersistedState(value: unknown): ResultsPanelPersistedState | undefined {
  if (!isRecord(value) || typeof value.runDir !== 'string' || value.runDir === '') return undefined;
  const metric = value.metric === 'min' || value.metric === 'max' || value.metric === 'last' ? value.metric : undefined;
  return metric ? { runDir: value.runDir, metric } : { runDir: value.runDir };
}
