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
