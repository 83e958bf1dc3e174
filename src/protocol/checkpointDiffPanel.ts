/**
 * The message contract between the extension host and the Checkpoint Diff panel webview (both
 * import it). The host validates every incoming message with `parseCheckpointDiffPanelMessage`.
 */
import type { CheckpointDiffReport } from '../diff/reportFormat';

export const CHECKPOINT_DIFF_PANEL_VIEW_TYPE = 'kdUda.checkpointDiffPanel';

/** The tabs of the panel, in order; persisted so a reload reopens the one the user was on. */
export const CHECKPOINT_DIFF_TABS = ['overview', 'classes', 'architecture'] as const;
export type CheckpointDiffTab = (typeof CHECKPOINT_DIFF_TABS)[number];

export type HostToCheckpointDiffPanel =
  | { type: 'snapshot'; reportFile: string; report: CheckpointDiffReport }
  /** The report cannot be shown (deleted, unreadable, from a newer version): says why. */
  | { type: 'error'; reportFile: string; message: string };

export type CheckpointDiffPanelToHost = { type: 'ready' } | { type: 'openReport' };

/** What the webview persists with `setState`, and the panel serializer restores from. */
export interface CheckpointDiffPanelPersistedState {
  reportFile: string;
  tab?: CheckpointDiffTab;
  /** The domain whose per-class accuracy and confusion matrices are shown. */
  domain?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The message, when it is one the host understands; undefined for anything else. */
export function parseCheckpointDiffPanelMessage(value: unknown): CheckpointDiffPanelToHost | undefined {
  if (!isRecord(value) || Object.keys(value).length !== 1) return undefined;
  return value.type === 'ready' || value.type === 'openReport' ? { type: value.type } : undefined;
}

export function parseCheckpointDiffPanelPersistedState(value: unknown): CheckpointDiffPanelPersistedState | undefined {
  if (!isRecord(value) || typeof value.reportFile !== 'string' || value.reportFile === '') return undefined;
  const state: CheckpointDiffPanelPersistedState = { reportFile: value.reportFile };
  if ((CHECKPOINT_DIFF_TABS as readonly unknown[]).includes(value.tab)) state.tab = value.tab as CheckpointDiffTab;
  if (typeof value.domain === 'string' && value.domain !== '') state.domain = value.domain;
  return state;
}
