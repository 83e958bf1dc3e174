import * as vscode from 'vscode';

/**
 * Every panel runs scripts and may load only the webview bundles, the media folder and whatever
 * else it names (a dataset panel: the dataset root, for thumbnails).
 */
export function panelOptions(extensionUri: vscode.Uri, ...extraRoots: vscode.Uri[]): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media'), ...extraRoots],
  };
}

/**
 * Restores a panel that was open when the window reloaded from the state its webview saved; a
 * state it does not understand (an older version's, a hand-edited one) closes the panel with a
 * note in the log rather than guessing.
 */
export function restoringSerializer<T>(
  panelName: string,
  output: vscode.LogOutputChannel,
  parse: (state: unknown) => T | undefined,
  restore: (panel: vscode.WebviewPanel, persisted: T) => void,
): vscode.WebviewPanelSerializer {
  return {
    deserializeWebviewPanel: async (panel, state) => {
      const persisted = parse(state);
      if (!persisted) {
        output.warn(`${panelName} not restored: its saved state is not understood (${JSON.stringify(state)?.slice(0, 200)})`);
        panel.dispose();
        return;
      }
      restore(panel, persisted);
    },
  };
}
