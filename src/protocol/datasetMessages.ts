/**
 * The message contract between the extension host and the dataset panel webview. Both sides import
 * these types; the host validates every incoming message with `parseDatasetPanelMessage`.
 */
import type { DatasetSummary } from '../datasetScan/datasetSummary';
import { isRecord } from '../util/isRecord';
import { bareMessage, type ReadyMessage } from './panelMessages';

export const DATASET_PANEL_VIEW_TYPE = 'kdUda.datasetPanel';

export interface DatasetPanelState {
  root: string;
  name: string;
  scanning: boolean;
  /** Undefined until the first scan finishes. */
  summary?: DatasetSummary;
  /** Sample image path -> URI the webview may load (from `asWebviewUri`). */
  thumbnails: Record<string, string>;
}

export type HostToDatasetPanel = { type: 'snapshot'; state: DatasetPanelState };

export type DatasetPanelToHost = ReadyMessage | { type: 'refresh' } | { type: 'revealInExplorer'; domain: string; className?: string };

/** What the webview persists with `setState`, and the panel serializer restores from. */
export interface DatasetPanelPersistedState {
  root: string;
  tab?: string;
}

/** The message, when it is one the host understands; undefined for anything else. */
export function parseDatasetPanelMessage(value: unknown): DatasetPanelToHost | undefined {
  if (isRecord(value) && value.type === 'revealInExplorer') {
    const { domain, className } = value;
    if (typeof domain !== 'string' || domain === '' || domain.length > 1024) return undefined;
    if (className !== undefined && (typeof className !== 'string' || className.length > 1024)) return undefined;
    return className === undefined ? { type: 'revealInExplorer', domain } : { type: 'revealInExplorer', domain, className };
  }
  return bareMessage(value, ['ready', 'refresh']);
}

export function parseDatasetPanelPersistedState(value: unknown): DatasetPanelPersistedState | undefined {
  if (!isRecord(value) || typeof value.root !== 'string' || value.root === '') return undefined;
  return typeof value.tab === 'string' ? { root: value.root, tab: value.tab } : { root: value.root };
}
