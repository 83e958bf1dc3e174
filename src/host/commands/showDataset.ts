import * as vscode from 'vscode';
import { datasetDisplayName } from '../../datasetScan/displayName';
import type { DatasetNode } from '../datasetsView/datasetTreeProvider';
import type { DatasetRoots } from '../datasetsView/datasetRoots';
import { DatasetPanel, type DatasetPanelDeps } from '../panels/datasetPanel';
import { CommandId } from './commandId';

/**
 * KD-UDA: Show Dataset. From a tree node, a path argument, or (from the palette) a quick pick of
 * the known roots.
 */
export function showDatasetCommand(deps: DatasetPanelDeps, roots: DatasetRoots) {
  return async (target?: DatasetNode | string | vscode.Uri): Promise<DatasetPanel | undefined> => {
    const root = await resolveRoot(target, roots);
    return root === undefined ? undefined : DatasetPanel.show(deps, root);
  };
}

async function resolveRoot(target: DatasetNode | string | vscode.Uri | undefined, roots: DatasetRoots): Promise<string | undefined> {
  if (typeof target === 'string') return target;
  if (target instanceof vscode.Uri) return target.fsPath;
  if (target && typeof target === 'object' && 'root' in target) return target.root;
  const known = await roots.list();
  if (known.length === 0) {
    const add = 'Add Dataset Folder…';
    const choice = await vscode.window.showInformationMessage(
      'KD-UDA: no dataset folders yet. Add one to the kdUda.datasets setting or an experiment file.',
      add,
    );
    if (choice === add) await vscode.commands.executeCommand(CommandId.AddDatasetRoot);
    return undefined;
  }
  if (known.length === 1) return known[0];
  const picked = await vscode.window.showQuickPick(
    known.map((root) => ({ label: datasetDisplayName(root), description: root, root })),
    { title: 'KD-UDA: Show Dataset', placeHolder: 'Dataset to show' },
  );
  return picked?.root;
}
