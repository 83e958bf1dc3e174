import * as vscode from 'vscode';
import { datasetDisplayName } from '../../datasetScan/displayName';
import { LAYOUT_LABELS, type ClassSummary, type DatasetIssue, type DatasetSummary, type DomainSummary } from '../../datasetScan/datasetSummary';
import { locatedIssues } from '../../datasetScan/issueLocations';
import { type SplitClassSummary, type SplitCounts, type SplitDatasetSummary, type SplitDomainSummary } from '../../datasetScan/splitSummary';
import type { DatasetStore } from './datasetStore';

export type DatasetNode =
  { kind: 'root'; root: string } | { kind: 'domain'; root: string; domain: string } | { kind: 'class'; root: string; domain: string; className: string };

const ROOT_PROBLEMS = new Set(['missing-root', 'not-a-directory', 'unknown-layout']);

export function formatImageCount(count: number): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? 'image' : 'images'}`;
}

function issuesTooltip(heading: string, issues: readonly DatasetIssue[]): vscode.MarkdownString {
  const tooltip = new vscode.MarkdownString(`**${heading}**`);
  for (const issue of issues.slice(0, 20)) {
    const where = issue.path ? ` — \`${issue.path}${issue.line ? `:${issue.line}` : ''}\`` : '';
    tooltip.appendMarkdown(`\n\n$(warning) `).appendText(issue.message).appendMarkdown(where);
  }
  if (issues.length > 20) tooltip.appendMarkdown(`\n\n…and ${issues.length - 20} more`);
  tooltip.supportThemeIcons = true;
  return tooltip;
}

/** `3 images`, or for a split root `3 images · 2 train, 1 test`. */
function countDescription(count: number, splits: SplitCounts | undefined, testFolder: string | undefined): string {
  const total = formatImageCount(count);
  return splits ? `${total} · ${splits.train.toLocaleString('en-US')} train, ${splits.test.toLocaleString('en-US')} ${testFolder ?? 'test'}` : total;
}

function domainIssues(domain: DomainSummary): DatasetIssue[] {
  return [...domain.issues, ...domain.classes.flatMap((entry) => entry.issues)];
}

function isSplit(summary: DatasetSummary): summary is SplitDatasetSummary {
  return 'testFolder' in summary;
}

function warningIcon(): vscode.ThemeIcon {
  return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
}

/**
 * Datasets view: root -> domains -> classes, each with its image count; problems found by the scan
 * show as a warning icon with the details in the tooltip (and in the Problems panel, see
 * DatasetDiagnostics). A root with its own train/ and test/ folders shows the domains they share,
 * with each split's count, as `split.kind: "folders"` reads it.
 */
export class DatasetTreeProvider implements vscode.TreeDataProvider<DatasetNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DatasetNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private roots: string[] = [];

  constructor(private readonly store: DatasetStore) {
    this.subscription = store.onDidChange(() => this.changed.fire(undefined));
  }

  setRoots(roots: readonly string[]): void {
    this.roots = [...roots];
    this.changed.fire(undefined);
  }

  getChildren(node?: DatasetNode): DatasetNode[] {
    if (!node) return this.roots.map((root) => ({ kind: 'root', root }));
    const summary = this.store.shownSummary(node.root);
    if (!summary) return [];
    if (node.kind === 'root') return summary.domains.map((domain) => ({ kind: 'domain', root: node.root, domain: domain.name }));
    if (node.kind === 'domain') {
      const domain = summary.domains.find((candidate) => candidate.name === node.domain);
      return (domain?.classes ?? []).map((entry) => ({ kind: 'class', root: node.root, domain: node.domain, className: entry.name }));
    }
    return [];
  }

  getParent(node: DatasetNode): DatasetNode | undefined {
    if (node.kind === 'class') return { kind: 'domain', root: node.root, domain: node.domain };
    if (node.kind === 'domain') return { kind: 'root', root: node.root };
    return undefined;
  }

  getTreeItem(node: DatasetNode): vscode.TreeItem {
    switch (node.kind) {
      case 'root':
        return this.rootItem(node.root);
      case 'domain': {
        const domain = this.findDomain(node.root, node.domain);
        return domain ? this.domainItem(node.root, domain) : new vscode.TreeItem(node.domain);
      }
      case 'class': {
        const entry = this.findDomain(node.root, node.domain)?.classes.find((candidate) => candidate.name === node.className);
        return entry ? this.classItem(node, entry) : new vscode.TreeItem(node.className);
      }
    }
  }

  private splitOf(root: string): SplitDatasetSummary | undefined {
    const summary = this.store.shownSummary(root);
    return summary && isSplit(summary) ? summary : undefined;
  }

  private findDomain(root: string, name: string): DomainSummary | undefined {
    return this.store.shownSummary(root)?.domains.find((domain) => domain.name === name);
  }

  private rootItem(root: string): vscode.TreeItem {
    const summary = this.store.shownSummary(root);
    const scanning = this.store.scanning(root);
    const name = datasetDisplayName(root);
    const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `dataset:${root}`;
    item.contextValue = 'dataset';
    item.resourceUri = vscode.Uri.file(root);
    if (!summary) {
      item.description = 'scanning…';
      item.iconPath = new vscode.ThemeIcon('loading~spin');
      item.tooltip = root;
      return item;
    }
    const split = isSplit(summary) ? summary : undefined;
    const layout = `${summary.layout ? LAYOUT_LABELS[summary.layout] : 'unknown layout'}${split ? ` · train/${split.testFolder} folders` : ''}`;
    const domains = `${summary.domains.length} ${summary.domains.length === 1 ? 'domain' : 'domains'}`;
    // When every domain warns the dataset as a whole is suspect, which a collapsed root must say too.
    const everyDomainWarns = summary.domains.length > 0 && summary.domains.every((domain) => domainIssues(domain).length > 0);
    const warned = everyDomainWarns ? ' · every domain has warnings' : '';
    const description = `${layout} · ${domains} · ${formatImageCount(summary.count)}${warned}${scanning ? ' · rescanning…' : ''}`;
    item.description = description;
    const fatal = summary.issues.some((issue) => ROOT_PROBLEMS.has(issue.code));
    // Worded with their domain and class, which the root's tooltip does not otherwise say.
    const issues: DatasetIssue[] = everyDomainWarns ? locatedIssues(summary) : summary.issues;
    if (fatal) {
      item.collapsibleState = vscode.TreeItemCollapsibleState.None;
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
      item.tooltip = issuesTooltip(root, summary.issues);
    } else if (issues.length > 0) {
      item.iconPath = warningIcon();
      item.tooltip = issuesTooltip(root, issues);
    } else {
      item.iconPath = new vscode.ThemeIcon('database');
      item.tooltip = `${root}\n${layout}, ${summary.classNames.length} classes`;
    }
    item.accessibilityInformation = { label: `Dataset ${name}, ${description}${issues.length ? ', has warnings' : ''}` };
    return item;
  }

  private domainItem(root: string, domain: DomainSummary): vscode.TreeItem {
    const item = new vscode.TreeItem(domain.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `dataset:${root}\u0000${domain.name}`;
    item.contextValue = 'datasetDomain';
    const split = this.splitOf(root);
    item.description = countDescription(domain.count, split ? (domain as SplitDomainSummary).splits : undefined, split?.testFolder);
    const issues = domainIssues(domain);
    item.iconPath = issues.length ? warningIcon() : new vscode.ThemeIcon('folder');
    item.tooltip = issues.length ? issuesTooltip(`${domain.name}: ${domain.path}`, issues) : domain.path;
    item.accessibilityInformation = { label: `Domain ${domain.name}, ${item.description}${issues.length ? ', has warnings' : ''}` };
    return item;
  }

  private classItem(node: Extract<DatasetNode, { kind: 'class' }>, entry: ClassSummary): vscode.TreeItem {
    const item = new vscode.TreeItem(entry.name, vscode.TreeItemCollapsibleState.None);
    item.id = `dataset:${node.root}\u0000${node.domain}\u0000${entry.name}`;
    item.contextValue = 'datasetClass';
    const split = this.splitOf(node.root);
    item.description = countDescription(entry.count, split ? (entry as SplitClassSummary).splits : undefined, split?.testFolder);
    item.iconPath = entry.issues.length ? warningIcon() : new vscode.ThemeIcon('tag');
    if (entry.issues.length) item.tooltip = issuesTooltip(`${node.domain} / ${entry.name}`, entry.issues);
    item.accessibilityInformation = { label: `Class ${entry.name}, ${item.description}${entry.issues.length ? ', has warnings' : ''}` };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
