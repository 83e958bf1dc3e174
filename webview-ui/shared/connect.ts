import type { PanelRequest, ReadyMessage } from '../../src/protocol/panelMessages';
import { isRecord } from '../../src/util/isRecord';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** One handler per type of message the host sends, each given that type's message. */
export type Handlers<ToWebview extends { type: string }> = { [Type in ToWebview['type']]: (message: Extract<ToWebview, { type: Type }>) => void };

export interface HostConnection<FromWebview, PersistedState> {
  /** What the panel saved last, by an earlier page of it (before a hide or a reload) included; undefined in a new panel. */
  readonly state: PersistedState | undefined;
  /** Keeps `state` for the next page of this panel and for the host's serializer after a reload. */
  save(state: PersistedState): void;
  post(message: PanelRequest<FromWebview>): void;
}

/**
 * Connects a panel's webview to its host, once per page (`acquireVsCodeApi` may be called only
 * once): messages from the host go to `handlers` by their type, anything else is dropped, and
 * `ready` is posted at once. That is early enough to call connect() before the page is built: the
 * host's answer arrives as a message event, which cannot run before this script has finished.
 */
export function connect<ToWebview extends { type: string }, FromWebview extends { type: string }, PersistedState>(
  handlers: Handlers<ToWebview>,
): HostConnection<FromWebview, PersistedState> {
  const api = acquireVsCodeApi();
  let state = api.getState() as PersistedState | undefined;
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = event.data;
    if (!isRecord(message) || typeof message.type !== 'string' || !Object.hasOwn(handlers, message.type)) return;
    (handlers[message.type as ToWebview['type']] as (message: ToWebview) => void)(message as ToWebview);
  });
  api.postMessage({ type: 'ready' } satisfies ReadyMessage);
  return {
    get state() {
      return state;
    },
    save(next) {
      state = next;
      api.setState(next);
    },
    post(message) {
      api.postMessage(message);
    },
  };
}
