import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { tinyExperiment, writeExperiment, writeRunFolder } from '../fixtures/experiments';
import { createImageTree } from '../fixtures/imageTree';
import { poll } from '../harness/poll';
import { notifications } from './errorNotifications';

/** Diagnostics that follow a rescan wait for the watcher's debounce and the scan: on a loaded CI machine that once took over 15 s. */
function diagnosticsFor(uri: vscode.Uri, predicate: (diagnostics: vscode.Diagnostic[]) => boolean): Promise<vscode.Diagnostic[]> {
  return poll(
    'the KD-UDA diagnostics expected',
    () => {
      const diagnostics = vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === 'KD-UDA');
      if (predicate(diagnostics)) return diagnostics;
      throw new Error(`KD-UDA diagnostics: ${JSON.stringify(diagnostics.map((d) => d.message))}`);
    },
    60_000,
  );
}

describe('Experiment file diagnostics', function () {
  this.timeout(180_000);

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
      edit.replace(document.uri, diagnostic.range, '"mnist-photo"');
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
      // The workspace's digits root has neither svhn nor usps: the dataset check says so on those values, apart from this.
      const found = await diagnosticsFor(document.uri, (diagnostics) => diagnostics.some((diagnostic) => diagnostic.message.startsWith('data.targets: sweep')));
      const [diagnostic, ...others] = found.filter((each) => !/^data\.targets\[\d\]: no domain/.test(each.message));
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
  it('flags a domain the scanned root lacks on its value, with the root’s domains, and clears it once the domain appears on disk', async () => {
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const digits = path.join(workspace, 'digits');
    const file = await writeExperiment(workspace, 'mistyped', { data: { root: './digits', source: 'mnist', targets: ['usps'] }, method: { name: 'dann' } });
    try {
      const document = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(document);
      const [diagnostic, ...others] = await diagnosticsFor(document.uri, (found) => found.length > 0);
      assert.deepEqual(others, []);
      assert.equal(diagnostic.message, `data.targets[0]: no domain "usps" under ${digits}; domains: mnist, mnist-photo`);
      assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
      assert.equal(document.getText(diagnostic.range), '"usps"', 'the range covers the offending value');

      // The Datasets view's watcher rescans the root; the diagnostic follows the new scan without an edit.
      await createImageTree(digits, { usps: { '0': 3, '1': 3 } });
      await diagnosticsFor(document.uri, (found) => found.length === 0);
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await rm(file, { force: true });
      await rm(path.join(digits, 'usps'), { recursive: true, force: true });
    }
  });

  it('says which domain was probably meant, and which field names a class another domain lacks', async () => {
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const digits = path.join(workspace, 'digits');
    const file = await writeExperiment(workspace, 'typo', { data: { root: 'digits', source: 'MNIST', targets: ['threes'] }, method: { name: 'dann' } });
    await createImageTree(digits, { threes: { '3': 2 } });
    try {
      const document = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(document);
      const found = await diagnosticsFor(document.uri, (diagnostics) => diagnostics.length === 1 && diagnostics[0].message.includes('threes'));
      assert.match(found[0].message, /^data\.source: no domain "MNIST" under .*digits \(did you mean "mnist"\?\); domains: mnist, mnist-photo, threes$/);
      assert.equal(document.getText(found[0].range), '"MNIST"');
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, found[0].range, '"mnist"');
      await vscode.workspace.applyEdit(edit);
      const classes = await diagnosticsFor(document.uri, (diagnostics) => diagnostics.length === 2);
      assert.deepEqual(
        classes.map((diagnostic) => [diagnostic.message.replace(/ under .*/, ''), document.getText(diagnostic.range)]),
        [
          ['data.source: domain "mnist" lacks class "3"', '"mnist"'],
          ['data.targets[0]: domain "threes" lacks classes "0", "1"', '"threes"'],
        ],
      );
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await rm(file, { force: true });
      await rm(path.join(digits, 'threes'), { recursive: true, force: true });
    }
  });

  it('Start Run on a mistyped target names the file and field, opens the file on the value, and creates no run folder', async () => {
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const runsDir = path.join(workspace, 'runs');
    const file = await writeExperiment(workspace, 'mistyped-start', {
      data: { root: './digits', source: 'mnist', targets: ['mnist-phot'] },
      method: { name: 'source-only' },
      student: { architecture: 'lenet5' },
      backend: 'wasm',
    });
    const runsBefore = existsSync(runsDir) ? await readdir(runsDir) : [];
    try {
      let result: { started: boolean; reason?: string } | undefined;
      const shown = await notifications(
        'error',
        async (seen) => {
          result = await vscode.commands.executeCommand<{ started: boolean; reason?: string }>('kdUda.startRun', vscode.Uri.file(file));
          await poll('the refusal', () => seen.length > 0);
        },
        ({ actions }) => (actions.includes('Open File') ? 'Open File' : undefined),
      );
      assert.equal(result?.started, false);
      assert.match(
        result?.reason ?? '',
        /^mistyped-start\.kdexp\.json:\d+:\d+: data\.targets\[0\]: no domain "mnist-phot" under .*digits \(did you mean "mnist-photo"\?\)/,
      );
      assert.equal(shown.length, 1, JSON.stringify(shown));
      assert.match(
        shown[0].message,
        /^KD-UDA: mistyped-start\.kdexp\.json has 1 problem; nothing was started\. mistyped-start\.kdexp\.json:\d+:\d+: data\.targets\[0\]: no domain "mnist-phot"/,
      );
      assert.deepEqual(shown[0].actions, ['Open File']);
      const editor = await poll('Open File to select the offending value', () => {
        const active = vscode.window.activeTextEditor;
        return active?.document.uri.fsPath === file && active.document.getText(active.selection) === '"mnist-phot"' ? active : undefined;
      });
      assert.ok(editor);
      assert.deepEqual(existsSync(runsDir) ? await readdir(runsDir) : [], runsBefore, 'no run folder');
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await rm(file, { force: true });
    }
  });
  it('a domain missing from both split folders is one problem naming both splits, and Start Run counts it once', async () => {
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const split = path.join(workspace, 'split-digits');
    await createImageTree(path.join(split, 'train'), { mnist: { '0': 2, '1': 2 }, 'mnist-photo': { '0': 2, '1': 2 } });
    await createImageTree(path.join(split, 'test'), { mnist: { '0': 1, '1': 1 }, 'mnist-photo': { '0': 1, '1': 1 } });
    const file = await writeExperiment(workspace, 'split-typo', {
      data: { root: './split-digits', source: 'mnist', targets: ['usps'], split: { kind: 'folders' } },
      method: { name: 'source-only' },
      student: { architecture: 'lenet5' },
      backend: 'wasm',
    });
    try {
      const document = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(document);
      const [diagnostic, ...others] = await diagnosticsFor(document.uri, (found) => found.length > 0);
      assert.deepEqual(others, [], 'one problem, not one per split');
      assert.equal(
        diagnostic.message,
        `data.targets[0]: no domain "usps" under ${path.join(split, 'train')} and ${path.join(split, 'test')} (both splits); domains: mnist, mnist-photo`,
      );
      let result: { started: boolean; reason?: string } | undefined;
      const shown = await notifications('error', async (seen) => {
        result = await vscode.commands.executeCommand<{ started: boolean; reason?: string }>('kdUda.startRun', vscode.Uri.file(file));
        await poll('the refusal', () => seen.length > 0);
      });
      assert.equal(result?.started, false);
      assert.match(shown[0].message, /^KD-UDA: split-typo\.kdexp\.json has 1 problem; nothing was started\./);
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await rm(file, { force: true });
      await rm(split, { recursive: true, force: true });
    }
  });
  it('Resume Run on a run whose domain is gone from the dataset says so and starts no trainer', async () => {
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const runDir = path.join(workspace, 'runs', '20260101-000000-domain-gone');
    const experiment = tinyExperiment({ data: { root: path.join(workspace, 'digits'), source: 'mnist', targets: ['mnist-gone'] } });
    await writeRunFolder(runDir, { 'experiment.json': `${JSON.stringify(experiment, null, 2)}\n`, 'status.json': { version: 1, state: 'stopped' } });
    try {
      let result: { started: boolean; reason?: string } | undefined;
      const shown = await notifications('error', async (seen) => {
        result = await vscode.commands.executeCommand<{ started: boolean; reason?: string }>('kdUda.resumeRun', runDir);
        await poll('the refusal', () => seen.length > 0);
      });
      assert.equal(result?.started, false);
      assert.match(result?.reason ?? '', /experiment\.json:\d+:\d+: data\.targets\[0\]: no domain "mnist-gone" under .*digits; domains: mnist, mnist-photo$/);
      assert.match(shown[0].message, /^KD-UDA: 20260101-000000-domain-gone was not resumed: its data no longer matches the dataset\. .*no domain "mnist-gone"/);
      assert.deepEqual(shown[0].actions, ['Open File']);
    } finally {
      await rm(runDir, { recursive: true, force: true });
    }
  });
});
