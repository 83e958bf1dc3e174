import * as vscode from 'vscode';

/** A tree item's label as the user reads it (a TreeItemLabel carries it in `label`). */
export function labelText(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

/** A tree item's tooltip as text: a MarkdownString's source, not '[object Object]'. */
export function tooltipText(item: vscode.TreeItem | undefined): string {
  const tooltip = item?.tooltip;
  return tooltip instanceof vscode.MarkdownString ? tooltip.value : (tooltip ?? '');
}
