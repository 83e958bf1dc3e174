import * as vscode from 'vscode';
import path from 'node:path';
import { findNodeAtLocation, getLocation, parseTree, type Node as JsonNode } from 'jsonc-parser';
import type { DomainSummary } from '../../datasetScan/datasetSummary';
import { combineSplits } from '../../datasetScan/splitSummary';
import type { ExperimentDataScans } from './experimentDataScans';

/** The string value of `segments` in a tree parsed from text that may be half typed. */
function stringAt(tree: JsonNode | undefined, segments: (string | number)[]): string | undefined {
  const node = tree ? findNodeAtLocation(tree, segments) : undefined;
  return node?.type === 'string' && typeof node.value === 'string' ? node.value : undefined;
}

/**
 * Completes the domain names of `data.source` and `data.targets` from the scan of the
 * experiment's `data.root` (its train/ and test/ folders' with `split.kind: "folders"`), each with
 * its image and class counts, and the scan's warnings when it has any. Targets leave out the source,
 * which cannot also be one. The schema's completions still come from VS Code's JSON service beside these.
 */
export class ExperimentDomainCompletion implements vscode.CompletionItemProvider {
  constructor(private readonly scans: ExperimentDataScans) {}

  async provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[]> {
    const text = document.getText();
    const offset = document.offsetAt(position);
    const location = getLocation(text, offset);
    const [section, field, index] = location.path;
    const domainField = section === 'data' && ((field === 'source' && location.path.length === 2) || (field === 'targets' && typeof index === 'number'));
    if (!domainField || location.isAtPropertyKey) return [];
    const tree = parseTree(text);
    const root = stringAt(tree, ['data', 'root']);
    if (!root?.trim()) return [];
    const readsSplitFolders = stringAt(tree, ['data', 'split', 'kind']) === 'folders';
    const scan = await this.scans.current(path.resolve(path.dirname(document.uri.fsPath), root), readsSplitFolders);
    const splits = scan?.splitFolders;
    const domains = readsSplitFolders ? splits && combineSplits(scan.summary.root, splits.train, splits.test).domains : scan?.summary.domains;
    if (!domains) return [];
    const source = field === 'targets' ? stringAt(tree, ['data', 'source']) : undefined;
    // Inside a string the whole string, quotes included, is replaced; elsewhere the quoted name is inserted.
    const string = location.previousNode?.type === 'string' ? location.previousNode : undefined;
    const range = string
      ? new vscode.Range(document.positionAt(string.offset), document.positionAt(string.offset + string.length))
      : new vscode.Range(position, position);
    return domains.filter((domain) => domain.name !== source).map((domain) => domainItem(domain, range));
  }
}

function domainItem(domain: DomainSummary, range: vscode.Range): vscode.CompletionItem {
  const quoted = JSON.stringify(domain.name);
  const item = new vscode.CompletionItem(domain.name, vscode.CompletionItemKind.Folder);
  item.insertText = quoted;
  item.filterText = quoted;
  item.range = range;
  const issues = [...domain.issues, ...domain.classes.flatMap((entry) => entry.issues)];
  const counts = `${domain.count} ${domain.count === 1 ? 'image' : 'images'}, ${domain.classes.length} ${domain.classes.length === 1 ? 'class' : 'classes'}`;
  item.detail = issues.length > 0 ? `⚠ ${counts}, ${issues.length} ${issues.length === 1 ? 'warning' : 'warnings'}` : counts;
  item.documentation = new vscode.MarkdownString().appendText([domain.path, ...issues.map((issue) => `⚠ ${issue.message}`)].join('\n\n'));
  // Above the schema's suggestions (which know no domain names).
  item.sortText = `0${domain.name}`;
  return item;
}
