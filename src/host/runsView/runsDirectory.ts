import * as vscode from 'vscode';
import path from 'node:path';

/** The runs folder from `kdUda.runsDirectory`: absolute, or relative to the first workspace folder. */
export function runsDirectory(): string | undefined {
  const configured = vscode.workspace.getConfiguration('kdUda').get<string>('runsDirectory') || 'runs';
  if (path.isAbsolute(configured)) return configured;
  const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return base === undefined ? undefined : path.join(base, configured);
}
