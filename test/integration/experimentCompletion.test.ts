import * as assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import * as vscode from 'vscode';
import { validateExperimentText } from '../../src/experiment/validateExperiment';
import { createImageTree } from '../fixtures/imageTree';
import { poll } from '../harness/poll';

/**
 * The text a completion item inserts, as the editor would leave it when the user accepts it and
 * tabs through its placeholders: each placeholder keeps its default (a choice its first option),
 * and `cursor` is where the first placeholder was (where a triggered suggest would open).
 */
function expandSnippet(item: vscode.CompletionItem): { text: string; cursor: number } {
  const raw =
    item.insertText instanceof vscode.SnippetString
      ? item.insertText.value
      : (item.insertText ?? (typeof item.label === 'string' ? item.label : item.label.label));
  if (!(item.insertText instanceof vscode.SnippetString)) return { text: raw, cursor: raw.length };
  let text = '';
  let cursor: number | undefined;
  let i = 0;
  const placeholder = (body: string) => {
    if (cursor === undefined) cursor = text.length;
    text += body;
  };
  while (i < raw.length) {
    const rest = raw.slice(i);
    let match: RegExpMatchArray | null;
    if (rest.startsWith('\\') && i + 1 < raw.length) {
      text += raw[i + 1];
      i += 2;
    } else if ((match = /^\$\{\d+\|([^,|}]*)[^}]*\|\}/.exec(rest))) {
      placeholder(match[1]);
      i += match[0].length;
    } else if ((match = /^\$\{\d+:((?:\\.|[^\\}])*)\}/.exec(rest))) {
      placeholder(match[1].replace(/\\(.)/g, '$1'));
      i += match[0].length;
    } else if ((match = /^(?:\$\{\d+\}|\$\d+)/.exec(rest))) {
      placeholder('');
      i += match[0].length;
    } else {
      text += raw[i];
      i += 1;
    }
  }
  return { text, cursor: cursor ?? text.length };
}

const problemKey = (problem: { kind: string; path: string; message: string }) => `${problem.kind} ${problem.path}: ${problem.message}`;

describe('Experiment file completions', function () {
  this.timeout(120_000);
  let file: string;
  let document: vscode.TextDocument;

  before(async () => {
    await vscode.extensions.getExtension('kd-uda-lab.kd-uda-lab')?.activate();
    file = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'completion-probe.kdexp.json');
    await writeFile(file, '{}\n');
    document = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(document);
    // The JSON language server starts, and reads the schema, on the first JSON document.
    await poll(
      'JSON completions from the experiment schema',
      async () =>
        (
          await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, new vscode.Position(0, 1))
        ).items.some((item) => item.kind === vscode.CompletionItemKind.Property),
      60_000,
      500,
    );
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await rm(file, { force: true });
  });

  async function setText(text: string): Promise<void> {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), text);
    assert.ok(await vscode.workspace.applyEdit(edit));
  }

  async function completionsAt(text: string, offset: number): Promise<vscode.CompletionItem[]> {
    await setText(text);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, document.positionAt(offset));
    return list.items;
  }

  /** Inserts `item` at `offset` (over the item's own range when it has one). */
  function accept(text: string, offset: number, item: vscode.CompletionItem): { text: string; cursor: number } {
    const range = item.range instanceof vscode.Range ? item.range : item.range?.replacing;
    const start = range ? document.offsetAt(range.start) : offset;
    const end = range ? document.offsetAt(range.end) : offset;
    const inserted = expandSnippet(item);
    return { text: text.slice(0, start) + inserted.text + text.slice(end), cursor: start + inserted.cursor };
  }

  /**
   * Every property the editor offers inside the object at `at`, accepted as is; where accepting it
   * leaves the value to a suggest it triggers, every value that suggest offers. Returns each
   * result that the project's validation finds a problem in that `base` does not have.
   */
  async function newProblemsFromCompletions(base: object, at: (string | number)[]): Promise<string[]> {
    const text = JSON.stringify(base, null, 2);
    const baseline = validateExperimentText(text, file);
    const known = new Set(baseline.ok ? [] : baseline.problems.map(problemKey));
    const objectNode = findNodeAtLocation(parseTree(text)!, at);
    assert.ok(objectNode?.type === 'object', `${at.join('.')} is an object in the probe`);
    const offset = objectNode.offset + 1;
    const properties = (await completionsAt(text, offset)).filter((item) => item.kind === vscode.CompletionItemKind.Property);
    assert.ok(properties.length > 0, `the editor offers properties in ${at.join('.') || 'the top level'}`);
    const failures: string[] = [];
    const check = (label: string, result: string, raw?: unknown) => {
      const validation = validateExperimentText(result, file);
      const fresh = validation.ok ? [] : validation.problems.map(problemKey).filter((key) => !known.has(key));
      if (fresh.length > 0)
        failures.push(`${at.join('.') || '(top)'} ${label} -> ${JSON.stringify(raw)} -> ${JSON.stringify(result.replace(/\s+/g, ' '))}: ${fresh.join('; ')}`);
    };
    for (const property of properties) {
      const label = typeof property.label === 'string' ? property.label : property.label.label;
      const accepted = accept(text, offset, property);
      if (property.command?.command !== 'editor.action.triggerSuggest') {
        check(label, accepted.text, property.insertText);
        continue;
      }
      const values = (await completionsAt(accepted.text, accepted.cursor)).filter((item) => item.kind !== vscode.CompletionItemKind.Property);
      if (values.length === 0) failures.push(`${at.join('.') || '(top)'} ${label}: its suggest offers no value`);
      for (const value of values) {
        const valueLabel = typeof value.label === 'string' ? value.label : value.label.label;
        check(`${label} = ${valueLabel}`, accept(accepted.text, accepted.cursor, value).text);
      }
    }
    return failures;
  }

  const minimal = { data: { root: './digits', source: 'mnist', targets: ['mnist-photo'] }, method: { name: 'kd-stda' } };
  const nested = {
    ...minimal,
    data: { ...minimal.data, split: {}, augment: {} },
    teacher: { architecture: 'resnet-small' },
    student: { architecture: 'lenet5' },
    method: { name: 'kd-stda', beta: {}, discriminator: { hidden: [100] } },
    optimizer: {},
    executor: { kind: 'slurm' },
  };

  it('inserts only values the experiment validation accepts, for every field it offers', async () => {
    const failures: string[] = [];
    for (const at of [[], ['data'], ['method']]) failures.push(...(await newProblemsFromCompletions(minimal, at)));
    for (const at of [
      ['data', 'split'],
      ['data', 'augment'],
      ['teacher'],
      ['student'],
      ['method', 'beta'],
      ['method', 'discriminator'],
      ['optimizer'],
      ['executor'],
    ]) {
      failures.push(...(await newProblemsFromCompletions(nested, at)));
    }
    assert.deepEqual(failures, []);
  });
  it('completes the domain names of source and targets from the scan of data.root, beside the schema’s', async () => {
    const text = '{\n  "data": { "root": "./digits", "source": "mn", "targets": [""] }\n}\n';
    const labelOf = (item: vscode.CompletionItem) => (typeof item.label === 'string' ? item.label : item.label.label);
    const domainsAt = async (offset: number) =>
      poll('domain completions from the scan', async () => {
        const items = (await completionsAt(text, offset)).filter((item) => item.kind === vscode.CompletionItemKind.Folder);
        return items.length > 0 ? items : undefined;
      });

    const inTarget = text.indexOf('[""]') + 2;
    const targets = await domainsAt(inTarget);
    assert.deepEqual(targets.map(labelOf).sort(), ['mnist', 'mnist-photo']);
    const photo = targets.find((item) => labelOf(item) === 'mnist-photo')!;
    assert.equal(photo.detail, '6 images, 2 classes');
    assert.equal(accept(text, inTarget, photo).text, text.replace('[""]', '["mnist-photo"]'));

    const inSource = text.indexOf('"mn"') + 3;
    const sources = await domainsAt(inSource);
    assert.deepEqual(sources.map(labelOf).sort(), ['mnist', 'mnist-photo']);
    const accepted = accept(
      text,
      inSource,
      sources.find((item) => labelOf(item) === 'mnist')!,
    ).text;
    assert.equal(accepted, text.replace('"mn"', '"mnist"'));

    // Anywhere else the editor completes from the schema alone.
    const atTop = await completionsAt(text, 1);
    assert.equal(
      atTop.some((item) => item.kind === vscode.CompletionItemKind.Folder),
      false,
    );
    assert.ok(
      atTop.some((item) => labelOf(item) === 'method'),
      'the schema’s properties are still offered',
    );
  });

  it('leaves the source out of the targets it offers, and marks a domain the scan warns about', async () => {
    const root = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'warned-digits');
    await createImageTree(root, { mnist: { '0': 2, '1': 2 }, 'mnist-photo': { '0': 2, '1': 2 }, svhn: { '0': 2 } });
    try {
      const text = '{\n  "data": { "root": "./warned-digits", "source": "mnist", "targets": [""] }\n}\n';
      const inTarget = text.indexOf('[""]') + 2;
      const targets = await poll('domain completions from the scan', async () => {
        const items = (await completionsAt(text, inTarget)).filter((item) => item.kind === vscode.CompletionItemKind.Folder);
        return items.length > 0 ? items : undefined;
      });
      const byLabel = new Map(targets.map((item) => [typeof item.label === 'string' ? item.label : item.label.label, item]));
      assert.deepEqual([...byLabel.keys()].sort(), ['mnist-photo', 'svhn'], 'the source is no target');
      assert.equal(byLabel.get('mnist-photo')?.detail, '4 images, 2 classes');
      assert.equal(byLabel.get('svhn')?.detail, '⚠ 2 images, 1 class, 1 warning');
      const documentation = byLabel.get('svhn')?.documentation;
      const documentationText = (documentation instanceof vscode.MarkdownString ? documentation.value : String(documentation))
        .replace(/&nbsp;/g, ' ')
        .replace(/\\(.)/g, '$1');
      assert.match(documentationText, /⚠ Domain "svhn" lacks 1 class .*"1"/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
