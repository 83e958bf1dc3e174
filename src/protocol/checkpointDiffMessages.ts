/**
 * The message contract between the extension host and the Checkpoint Diff panel webview (both
 * import it). The host validates every incoming message with `parseCheckpointDiffPanelMessage`.
 */
import type { CheckpointDiffReport } from '../checkpointDiff/reportFormat';
import { isRecord } from '../util/isRecord';
import { bareMessage, type ReadyMessage } from './panelMessages';

export const CHECKPOINT_DIFF_PANEL_VIEW_TYPE = 'kdUda.checkpointDiffPanel';

/** The tabs of the panel, in order; persisted so a reload reopens the one the user was on. */
export const CHECKPOINT_DIFF_TABS = ['overview', 'classes', 'architecture', 'features'] as const;
export type CheckpointDiffTab = (typeof CHECKPOINT_DIFF_TABS)[number];

/** What the Domain gap tab's scatter plots colour points by. */
export const SCATTER_COLOURINGS = ['domain', 'class'] as const;
export type ScatterColouring = (typeof SCATTER_COLOURINGS)[number];

/** The 2-D embeddings a report may hold (see `Embedding2d`). */
export const EMBEDDING_METHODS = ['pca', 'umap'] as const;
export type EmbeddingMethod = (typeof EMBEDDING_METHODS)[number];

export type HostToCheckpointDiffPanel =
  | { type: 'snapshot'; reportFile: string; report: CheckpointDiffReport }
  /** The report cannot be shown (deleted, unreadable, from a newer version): says why. */
  | { type: 'error'; reportFile: string; message: string };

/**
 * `recompute`: run KD-UDA: Compare Checkpoints again for the pair the shown report compares (a
 * report written before the representation figures existed). Bare, like `openReport`: the host
 * takes the checkpoints from the report it read itself, never from the webview.
 */
export type CheckpointDiffPanelToHost = ReadyMessage | { type: 'openReport' } | { type: 'recompute' };

/** What the webview persists with `setState`, and the panel serializer restores from. */
export interface CheckpointDiffPanelPersistedState {
  reportFile: string;
  tab?: CheckpointDiffTab;
  /** The domain whose per-class accuracy and confusion matrices are shown. */
  domain?: string;
  /** The Domain gap tab's choices. */
  colourBy?: ScatterColouring;
  embedding?: EmbeddingMethod;
}

/** The message, when it is one the host understands; undefined for anything else. */
export function parseCheckpointDiffPanelMessage(value: unknown): CheckpointDiffPanelToHost | undefined {
  return bareMessage(value, ['ready', 'openReport', 'recompute']);
}

/**
 * Whether `file` has the shape of a diff report's path, `<absolute>/<run>/diffs/<name>.json`:
 * absolute (POSIX without backslashes, or Windows with a drive or UNC prefix), no `.`, `..` or
 * empty segments, a basename ending in `.json` and a parent folder named `diffs`. Written without
 * node:path, as the webview imports this module too. The host still checks that the folder above
 * `diffs/` is a run folder before it reads the file.
 */
export function isDiffReportPath(file: string): boolean {
  if (file.includes('\0')) return false;
  let segments: string[];
  // A backslash is a file name character on POSIX, not a separator: refused rather than guessed.
  if (file.startsWith('/')) segments = file.includes('\\') ? [] : file.slice(1).split('/');
  else if (/^[A-Za-z]:[\\/]/.test(file)) segments = file.slice(3).split(/[\\/]/);
  else if (/^\\\\[^\\/]/.test(file)) segments = file.slice(2).split(/[\\/]/);
  else return false;
  if (segments.length < 3 || segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return false;
  const name = segments[segments.length - 1];
  return name.length > '.json'.length && name.endsWith('.json') && segments[segments.length - 2] === 'diffs';
}

/**
 * The state a webview saved, when it is well formed. `reportFile` comes from the webview, so only
 * a path shaped like a diff report's is accepted (see `isDiffReportPath`).
 */
export function parseCheckpointDiffPanelPersistedState(value: unknown): CheckpointDiffPanelPersistedState | undefined {
  if (!isRecord(value) || typeof value.reportFile !== 'string' || !isDiffReportPath(value.reportFile)) return undefined;
  const state: CheckpointDiffPanelPersistedState = { reportFile: value.reportFile };
  if ((CHECKPOINT_DIFF_TABS as readonly unknown[]).includes(value.tab)) state.tab = value.tab as CheckpointDiffTab;
  if (typeof value.domain === 'string' && value.domain !== '') state.domain = value.domain;
  if ((SCATTER_COLOURINGS as readonly unknown[]).includes(value.colourBy)) state.colourBy = value.colourBy as ScatterColouring;
  if ((EMBEDDING_METHODS as readonly unknown[]).includes(value.embedding)) state.embedding = value.embedding as EmbeddingMethod;
  return state;
}
