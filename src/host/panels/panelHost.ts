import * as vscode from 'vscode';
import type { PanelRequest } from '../../protocol/panelMessages';
import { webviewHtml } from './webviewHtml';

type Options = vscode.WebviewPanelOptions & vscode.WebviewOptions;

/**
 * Every panel runs scripts and may load only the webview bundles, the media folder and whatever
 * else it names (a dataset panel: the dataset root, for thumbnails).
 */
export function panelOptions(extensionUri: vscode.Uri, ...extraRoots: vscode.Uri[]): Options {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media'), ...extraRoots],
  };
}

/** A new panel in the active editor group, where the command that opens it was given. */
export function newPanel(viewType: string, title: string, options: Options): vscode.WebviewPanel {
  return vscode.window.createWebviewPanel(viewType, title, vscode.ViewColumn.Active, options);
}

/**
 * The open panels of one kind, one per thing shown (a run folder, a dataset root, a report), so
 * that showing it again reveals its panel rather than opening a second.
 */
export class OpenPanels<P extends { readonly panel: vscode.WebviewPanel }> {
  private readonly byKey = new Map<string, P>();

  get(key: string): P | undefined {
    return this.byKey.get(key);
  }

  /** The panel showing `key`, brought to the front; undefined when none is open. */
  reveal(key: string): P | undefined {
    const open = this.byKey.get(key);
    open?.panel.reveal();
    return open;
  }

  set(key: string, panel: P): void {
    this.byKey.set(key, panel);
  }

  /** Forgets `panel`, unless another panel has taken its key since. */
  delete(key: string, panel: P): void {
    if (this.byKey.get(key) === panel) this.byKey.delete(key);
  }
}

export interface PanelSpec<ToWebview, FromWebview extends { type: string }> {
  extensionUri: vscode.Uri;
  output: vscode.LogOutputChannel;
  /** The webview's bundle, `dist/webview/<entry>.js`. */
  entry: string;
  title: string;
  /** Extension-relative stylesheets, where not webviewHtml's default. */
  stylesheets?: readonly string[];
  /** How the log names the panel: `Results panel (<run folder>)`. */
  logName: string;
  /** The contract's validator: a message it refuses is logged and dropped. */
  parse: (message: unknown) => FromWebview | undefined;
  /** Where the panel is listed while it is open, and under which key. */
  openAs: { panels: OpenPanels<PanelHost<ToWebview, FromWebview>>; key: string };
}

/**
 * The host side that every panel shares: the HTML shell, validated messages, the `ready` handshake
 * and disposal. Nothing is posted before the webview says `ready` (it would be lost), and every
 * `ready` gets the whole state: a panel hidden and shown again loads a fresh webview, as the
 * panels keep no context while hidden. A panel adds only what is its own: how it sends its state
 * (`sendState`) and what its webview's requests do (`receive`).
 */
export abstract class PanelHost<ToWebview, FromWebview extends { type: string }> implements vscode.Disposable {
  protected readonly disposables: vscode.Disposable[] = [];
  protected readonly output: vscode.LogOutputChannel;
  protected readonly logName: string;
  private readonly parse: (message: unknown) => FromWebview | undefined;
  private readonly openAs: PanelSpec<ToWebview, FromWebview>['openAs'];
  private ready = false;
  private disposed = false;

  protected constructor(
    readonly panel: vscode.WebviewPanel,
    spec: PanelSpec<ToWebview, FromWebview>,
  ) {
    this.output = spec.output;
    this.logName = spec.logName;
    this.parse = spec.parse;
    this.openAs = spec.openAs;
    spec.openAs.panels.set(spec.openAs.key, this);
    panel.iconPath = vscode.Uri.joinPath(spec.extensionUri, 'media', 'activity.svg');
    panel.webview.html = webviewHtml(panel.webview, spec.extensionUri, spec.entry, spec.title, spec.stylesheets);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receiveAny(message)),
    );
  }

  /** Posts the webview its whole state (with `post`); called only once it is ready. */
  protected abstract sendState(): void | Promise<void>;

  /** Acts on a request from the webview, already validated. */
  protected abstract receive(message: PanelRequest<FromWebview>): void;

  /** Sends the state now if the webview is ready; if not, its `ready` will. */
  protected update(): void {
    if (this.ready && !this.disposed) void this.sendState();
  }

  /** Posts `message`, unless the panel closed meanwhile (say, while its data was being read). */
  protected post(message: ToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private receiveAny(raw: unknown): void {
    const message = this.parse(raw);
    if (!message) {
      this.output.warn(`${this.logName}: ignored a message of unknown type or shape: ${JSON.stringify(raw)?.slice(0, 200)}`);
    } else if (message.type === 'ready') {
      this.ready = true;
      this.update();
    } else {
      this.receive(message as PanelRequest<FromWebview>);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.openAs.panels.delete(this.openAs.key, this);
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}

/**
 * Restores a panel that was open when the window reloaded from the state its webview saved; a
 * state it does not understand (an older version's, a hand-edited one) closes the panel with a
 * note in the log rather than guessing. The saved state comes from the webview, so it is not
 * trusted: `restore` may refuse it after checking it against the host's own knowledge (the file
 * system, the known dataset roots) by returning the reason, which closes the panel the same way.
 */
export function restoringSerializer<T>(
  panelName: string,
  output: vscode.LogOutputChannel,
  parse: (state: unknown) => T | undefined,
  restore: (panel: vscode.WebviewPanel, persisted: T) => void | string | Promise<void | string>,
): vscode.WebviewPanelSerializer {
  return {
    deserializeWebviewPanel: async (panel, state) => {
      const persisted = parse(state);
      if (!persisted) {
        output.warn(`${panelName} not restored: its saved state is not understood (${JSON.stringify(state)?.slice(0, 200)})`);
        panel.dispose();
        return;
      }
      const refused = await restore(panel, persisted);
      if (typeof refused === 'string') {
        output.warn(`${panelName} not restored: ${refused}`);
        panel.dispose();
      }
    },
  };
}
