import * as vscode from 'vscode';

/** Records the error notifications the extension shows while `during` runs (and lets them show). */
export async function errorNotifications(during: () => Promise<void>): Promise<string[]> {
  const shown: string[] = [];
  const original = vscode.window.showErrorMessage;
  vscode.window.showErrorMessage = ((message: string, ...rest: never[]) => {
    shown.push(message);
    return original(message, ...rest);
  }) as typeof vscode.window.showErrorMessage;
  try {
    await during();
  } finally {
    vscode.window.showErrorMessage = original;
  }
  return shown;
}
