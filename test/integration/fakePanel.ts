import * as vscode from 'vscode';

/**
 * A webview panel that records what the host does with it, for calling a panel's serializer
 * directly: the messages it posts, whether it was disposed, and a way to send it webview messages.
 */
export class FakePanel {
  readonly posted: unknown[] = [];
  disposed = false;
  private readonly received = new vscode.EventEmitter<unknown>();
  private readonly disposing = new vscode.EventEmitter<void>();
  readonly webview = {
    options: {} as vscode.WebviewOptions,
    html: '',
    cspSource: 'https://fake.webview',
    asWebviewUri: (uri: vscode.Uri) => uri,
    onDidReceiveMessage: this.received.event,
    postMessage: (message: unknown) => {
      this.posted.push(message);
      return Promise.resolve(true);
    },
  };
  iconPath: unknown;
  readonly onDidDispose = this.disposing.event;

  /** What the webview would send with `postMessage`. */
  send(message: unknown): void {
    this.received.fire(message);
  }

  reveal(): void {}

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposing.fire();
  }

  get panel(): vscode.WebviewPanel {
    return this as unknown as vscode.WebviewPanel;
  }
}

/** An output channel that keeps its lines. */
export function recordingOutput(): { output: vscode.LogOutputChannel; lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  const output = {
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    debug: log('debug'),
    trace: log('trace'),
    appendLine: log('line'),
    show: () => undefined,
  } as unknown as vscode.LogOutputChannel;
  return { output, lines };
}

/** Enough of an extension context for a panel: its URI. */
export function fakeContext(): vscode.ExtensionContext {
  return { extensionUri: vscode.Uri.file('/fake-extension') } as vscode.ExtensionContext;
}
