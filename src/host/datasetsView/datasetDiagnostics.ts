import * as vscode from 'vscode';
import { locatedIssues, type LocatedIssue } from '../../datasetScan/issueLocations';
import type { DatasetStore } from './datasetStore';

function diagnostic(issue: LocatedIssue): vscode.Diagnostic {
  const line = Math.max(0, (issue.line ?? 1) - 1);
  const severity = issue.fatal ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning;
  const result = new vscode.Diagnostic(new vscode.Range(line, 0, line, 0), issue.message, severity);
  result.source = 'KD-UDA datasets';
  result.code = issue.code;
  return result;
}

/**
 * The Datasets view's scan issues in the Problems panel, each on the file or folder it concerns (a
 * missing class on its domain's folder, an empty class on its own, a stray file on itself), so they
 * are seen without hovering the view, and a click reveals the place. Rebuilt from the store's
 * latest scans whenever one ends or a root is dropped: an issue fixed on disk goes with the rescan.
 * A split root's own scan (train/ and test/ read as domains) is skipped: its splits are scanned as
 * datasets of their own, and their issues are the real ones.
 */
export class DatasetDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('kdUda.datasets');
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: DatasetStore) {
    this.subscription = store.onDidChange(() => this.publish());
    this.publish();
  }

  private publish(): void {
    const byPath = new Map<string, Map<string, vscode.Diagnostic>>();
    for (const entry of this.store.all()) {
      if (!entry.summary || entry.splitFolders) continue;
      for (const issue of locatedIssues(entry.summary)) {
        const onPath = byPath.get(issue.path) ?? new Map<string, vscode.Diagnostic>();
        byPath.set(issue.path, onPath);
        // A folder listed as a root and also scanned as a split of another root reports once.
        onPath.set(`${issue.line ?? 0}\u0000${issue.message}`, diagnostic(issue));
      }
    }
    this.collection.clear();
    for (const [file, diagnostics] of byPath) this.collection.set(vscode.Uri.file(file), [...diagnostics.values()]);
  }

  dispose(): void {
    this.subscription.dispose();
    this.collection.dispose();
  }
}
