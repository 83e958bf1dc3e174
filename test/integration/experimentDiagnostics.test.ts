import * as assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { writeExperiment } from '../fixtures/experiments';
import { poll } from '../harness/poll';

function diagnosticsFor(uri: vscode.Uri, predicate: (diagnostics: vscode.Diagnostic[]) => boolean): Promise<vscode.Diagnostic[]> {
  return poll('the KD-UDA diagnostics expected', () => {
    const diagnostics = vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === 'KD-UDA');
    if (predicate(diagnostics)) return diagnostics;
    throw new Error(`KD-UDA diagnostics: ${JSON.stringify(diagnostics.map((d) => d.message))}`);
  });
}

describe('Experiment file diagnostics', function () {
  this.timeout(60_000);

  it('flags relations between fields in the Problems panel and clears them once fixed', async () => {
    const extension = vscode.extensions.getExtension('kd-uda-lab.kd-uda-lab');
    await extension?.activate();
    const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(workspace);
    const file = path.join(workspace, 'relations.kdexp.json');
    const text = JSON.stringify({ data: { root: './digits', source: 'mnist', targets: ['mnist'] }, method: { name: 'kd-stda' } }, null, 2);
    await writeFile(file, text);
    try {
      const document = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(document);
      const [diagnostic] = await diagnosticsFor(document.uri, (found) => found.length > 0);
      assert.match(diagnostic.message, /data\.targets\[0\]: the source domain "mnist" cannot also be a target/);
      assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
      assert.equal(document.getText(diagnostic.range), '"mnist"', 'the range covers the offending value');
      assert.equal(
        diagnostic.range.start.line,
        text.split('\n').findIndex((line) => line.trim() === '"mnist"'),
      );

      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, diagnostic.range, '"svhn"');
      await vscode.workspace.applyEdit(edit);
      await diagnosticsFor(document.uri, (found) => found.length === 0);
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await rm(file, { force: true });
    }
  });

  it('places a sweep point’s problem on the sweep value that causes it, naming the points', async () => {
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const file = path.join(workspace, 'sweep-relations.kdexp.json');
    const text = JSON.stringify(
      {
        data: { root: './digits', source: 'mnist', targets: ['svhn', 'usps'] },
        method: { name: 'dann' },
        sweep: { 'method.name': ['dann', 'kd-stda'], seed: [0, 1] },
      },
      null,
      2,
    );
    await writeFile(file, text);
    try {
      const document = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(document);
      const [diagnostic, ...others] = await diagnosticsFor(document.uri, (found) => found.length > 0);
      assert.deepEqual(others, []);
      assert.match(diagnostic.message, /^data\.targets: sweep points 3, 4 of 4 \(method\.name=kd-stda\): kd-stda adapts to exactly one target/);
      assert.equal(document.getText(diagnostic.range), '"kd-stda"');
      assert.equal(
        diagnostic.range.start.line,
        text.split('\n').findIndex((line) => line.trim() === '"kd-stda"'),
      );
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await rm(file, { force: true });
    }
  });

  it('puts a Start Run lens at the top of an experiment file, running the palette command', async () => {
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const file = await writeExperiment(workspace, 'lens', { data: { root: './digits', source: 'a', targets: ['b'] }, method: { name: 'dann' } });
    try {
      const document = await vscode.workspace.openTextDocument(file);
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri);
      const start = lenses.find((lens) => lens.command?.command === 'kdUda.startRun');
      assert.ok(start, `lenses: ${JSON.stringify(lenses.map((lens) => lens.command?.title))}`);
      assert.equal(start.range.start.line, 0);
      assert.equal((start.command!.arguments![0] as vscode.Uri).fsPath, file);
    } finally {
      await rm(file, { force: true });
    }
  });
});
