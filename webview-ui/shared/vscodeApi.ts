/** The one handle a webview gets on its host; `acquireVsCodeApi` may be called only once. */
export interface VsCodeApi<Outgoing, PersistedState> {
  postMessage(message: Outgoing): void;
  getState(): PersistedState | undefined;
  setState(state: PersistedState): void;
}

declare function acquireVsCodeApi<Outgoing, PersistedState>(): VsCodeApi<Outgoing, PersistedState>;

let api: unknown;

export function vscodeApi<Outgoing, PersistedState>(): VsCodeApi<Outgoing, PersistedState> {
  api ??= acquireVsCodeApi<Outgoing, PersistedState>();
  return api as VsCodeApi<Outgoing, PersistedState>;
}
