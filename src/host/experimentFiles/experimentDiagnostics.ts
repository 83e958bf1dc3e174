import * as vscode from 'vscode';
import { validateExperimentText, type ExperimentProblem } from '../../experiment/validateExperiment';
import { experimentDataProblems } from './experimentDataProblems';
import type { ExperimentDataScans } from './experimentDataScans';

const EXPERIMENT_FILE = /\.kdexp\.json$/;

/**
 * Problems-panel diagnostics for open `*.kdexp.json` files: the relations between fields that the
 * JSON Schema cannot express (VS Code's JSON service already reports syntax and schema errors
 * from the contributed schema, so repeating them would double every message), and what the
 * dataset's scan says against `data` (a domain the root lacks, differing classes, missing split
 * folders), checked again whenever a scan ends.
 */
export class ExperimentDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('kdUda.experiments');
  private readonly disposables: vscode.Disposable[] = [this.collection];
  /** The latest check of each document: an older one that ends later must not overwrite it. */
  private readonly latest = new Map<string, number>();
  private checks = 0;

  constructor(private readonly scans: ExperimentDataScans) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((document) => void this.check(document)),
      vscode.workspace.onDidChangeTextDocument((event) => void this.check(event.document)),
      vscode.workspace.onDidCloseTextDocument((document) => {
        this.latest.delete(document.uri.toString());
        this.collection.delete(document.uri);
      }),
      scans.onDidChange(() => this.checkAll()),
    );
    this.checkAll();
  }

  private checkAll(): void {
    for (const document of vscode.workspace.textDocuments) void this.check(document);
  }

  private async check(document: vscode.TextDocument): Promise<void> {
    if (!EXPERIMENT_FILE.test(document.uri.path) || document.isClosed) return;
    const key = document.uri.toString();
    const check = ++this.checks;
    this.latest.set(key, check);
    const text = document.getText();
    const result = validateExperimentText(text, document.uri.fsPath);
    const relations = result.ok ? [] : result.problems.filter((problem) => problem.kind === 'relation');
    const syntaxOk = result.ok || !result.problems.some((problem) => problem.kind === 'syntax');
    const data = syntaxOk ? await experimentDataProblems(text, document.uri.fsPath, (root, folders) => this.scans.current(root, folders)) : [];
    if (this.latest.get(key) !== check) return;
    this.collection.set(
      document.uri,
      [...relations, ...data].map((problem) => this.diagnostic(document, problem)),
    );
  }

  private diagnostic(document: vscode.TextDocument, problem: ExperimentProblem): vscode.Diagnostic {
    const start = document.positionAt(problem.offset ?? 0);
    const end = document.positionAt((problem.offset ?? 0) + (problem.length ?? 0));
    const diagnostic = new vscode.Diagnostic(new vscode.Range(start, end), `${problem.path}: ${problem.message}`, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'KD-UDA';
    return diagnostic;
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
