/**
 * What every panel's message contract shares. The webview says `ready` once it listens, and only
 * then does the host send it data: a message posted earlier would be lost.
 */
import { isRecord } from '../util/isRecord';

export type ReadyMessage = { type: 'ready' };

/** What a webview asks of its host: its messages but `ready`, which the handshake deals with. */
export type PanelRequest<FromWebview> = Exclude<FromWebview, ReadyMessage>;

/**
 * `value` as a message that is its `type` and nothing else, when that type is one of `types`;
 * undefined for anything else, an extra field included.
 */
export function bareMessage<T extends string>(value: unknown, types: readonly T[]): { type: T } | undefined {
  if (!isRecord(value) || Object.keys(value).length !== 1) return undefined;
  return (types as readonly unknown[]).includes(value.type) ? { type: value.type as T } : undefined;
}
