import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * The HTML shell every panel uses: a strict CSP (nothing by default; scripts only with this load's
 * nonce; styles, fonts and images only from the webview's own resource origin) and the panel's
 * bundle from `dist/webview/<entry>.js`, with `stylesheets` (extension-relative paths). The toolkit (FAST) probes `:focus-visible` support with a
 * `<style>` element that it stamps with the `csp-nonce` meta's value, so styles accept the nonce too.
 */
export function webviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  entry: string,
  title: string,
  stylesheets: readonly string[] = ['media/panel.css', `media/${entry}.css`],
): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${entry}.js`)).toString();
  const links = stylesheets
    .map((sheet) => `<link rel="stylesheet" href="${webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...sheet.split('/'))).toString()}">`)
    .join('\n  ');
  const csp = [
    `default-src 'none'`,
    `img-src ${webview.cspSource}`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta property="csp-nonce" content="${nonce}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  ${links}
  <title>${escapeHtml(title)}</title>
</head>
<body>
  <main id="app" aria-live="polite"></main>
  <script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
