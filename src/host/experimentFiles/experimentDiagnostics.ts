import * as vscode from 'vscode';
import { validateExperimentText } from '../../experiment/validateExperiment';

const EXPERIMENT_FILE = /\.kdexp\.json$/;

/**
 * Problems-panel diagnostics for open `*.kdexp.json` files: the relations between fields that the
 * JSON Schema cannot express (VS Code's JSON service already reports syntax and schema errors
 * from the contributed schema, so repeating them would double every message).
 */
export class ExperimentDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('kdUda.experiments');
  private readonly disposables: vscode.Disposable[] = [this.collection];

  constructor() {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((document) => this.check(document)),
      vscode.workspace.onDidChangeTextDocument((event) => this.check(event.document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.collection.delete(document.uri)),
    );
    for (const document of vscode.workspace.textDocuments) this.check(document);
  }

  private check(document: vscode.TextDocument): void {
    if (!EXPERIMENT_FILE.test(document.uri.path)) return;
    const result = validateExperimentText(document.getText(), document.uri.fsPath);
    const problems = result.ok ? [] : result.problems.filter((problem) => problem.kind === 'relation');
    this.collection.set(
      document.uri,
      problems.map((problem) => {
        const start = document.positionAt(problem.offset ?? 0);
        const end = document.positionAt((problem.offset ?? 0) + (problem.length ?? 0));
        const diagnostic = new vscode.Diagnostic(new vscode.Range(start, end), `${problem.path}: ${problem.message}`, vscode.DiagnosticSeverity.Error);
        diagnostic.source = 'KD-UDA';
        return diagnostic;
      }),
    );
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
