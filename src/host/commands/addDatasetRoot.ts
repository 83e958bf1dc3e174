import * as vscode from 'vscode';
import type { DatasetRoots } from '../datasetsView/datasetRoots';

/** KD-UDA: Add Dataset Folder… — a folder picker that appends to the `kdUda.datasets` setting. */
export function addDatasetRootCommand(roots: DatasetRoots) {
  return async (): Promise<void> => {
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      openLabel: 'Add Dataset Folder',
      title: 'KD-UDA: dataset root (its subfolders are domains)',
    });
    if (picked?.[0]) await roots.add(picked[0].fsPath);
  };
}
