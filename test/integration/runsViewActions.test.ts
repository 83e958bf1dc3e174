import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { KdUdaApi } from '../../src/extension';
import type { RunNode } from '../../src/host/runsView/runsTreeProvider';
import { writeExperiment, writeRunFolder } from '../fixtures/experiments';
import { runResults } from '../fixtures/runFolderFiles';
import { poll } from '../harness/poll';
import { notifications } from './errorNotifications';
import { labelText } from './treeItemText';

const EXTENSION_ID = 'kd-uda-lab.kd-uda-lab';

type RunTreeNode = Extract<RunNode, { kind: 'run' }>;

/** One term of a `when` clause this test understands: `key`, `!key`, `key == value`, `key != value`, `key =~ /re/`. */
function termHolds(term: string, context: Record<string, string>): boolean {
  const match = /^(!?)([\w.]+)(?:\s*(==|!=|=~)\s*(.+))?$/.exec(term.trim());
  assert.ok(match, `a when-clause term this test cannot read: "${term}"`);
  const [, not, key, operator, operand] = match;
  const value = context[key] ?? '';
  if (!operator) return not ? !value : !!value;
  if (operator === '==') return value === operand;
  if (operator === '!=') return value !== operand;
  const regex = /^\/(.*)\/([a-z]*)$/.exec(operand);
  assert.ok(regex, `not a regular expression: ${operand}`);
  return new RegExp(regex[1], regex[2]).test(value);
}

/** Whether a menu entry's `when` clause (terms joined by `&&`) holds in `context`. */
function whenHolds(when: string | undefined, context: Record<string, string>): boolean {
  if (!when) return true;
  assert.doesNotMatch(when, /\|\||^\s*\(|&&\s*\(/, 'this test reads && only');
  return when.split('&&').every((term) => termHolds(term, context));
}

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}

function menu(name: string): MenuEntry[] {
  const packageJson = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { menus: Record<string, MenuEntry[]> } };
  return packageJson.contributes.menus[name];
}

/** The commands a run's context menu (and inline icons) offers in the Runs view. */
function runMenuCommands(contextValue: string): Set<string> {
  return new Set(
    menu('view/item/context')
      .filter((entry) => whenHolds(entry.when, { view: 'kdUda.runs', viewItem: contextValue }))
      .map((entry) => entry.command),
  );
}

function tabLabels(): string[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs.map((tab) => tab.label));
}

describe('Runs view: run actions', function () {
  this.timeout(60_000);
  let api: KdUdaApi;
  let workspace: string;
  let runsDir: string;
  const made: string[] = [];

  /** A run folder as the trainer leaves it: experiment.json naming `name`, status.json in `state`, results when done. */
  async function fakeRun(runId: string, name: string | undefined, state: string, extra: Record<string, unknown> = {}): Promise<string> {
    const dir = path.join(runsDir, runId);
    made.push(dir);
    const status = state === 'running' ? { version: 1, state, pid: process.pid, host: os.hostname() } : { version: 1, state };
    return writeRunFolder(dir, {
      ...(name === undefined
        ? {}
        : { 'experiment.json': { version: 1, name, data: { root: 'data', source: 'mnist', targets: ['usps'] }, method: { name: 'kd-stda' } } }),
      'status.json': status,
      ...extra,
    });
  }

  async function runNode(dir: string): Promise<RunTreeNode> {
    return poll(`${path.basename(dir)} in the Runs view`, async () => {
      for (const group of await api.runs.getChildren()) {
        for (const node of await api.runs.getChildren(group)) {
          const runs = node.kind === 'sweep' ? await api.runs.getChildren(node) : [node];
          const found = runs.find((run): run is RunTreeNode => run.kind === 'run' && run.run.dir === dir);
          if (found) return found;
        }
      }
      return undefined;
    });
  }

  before(async function () {
    if (process.env.KDUDA_TEST_TRUST === 'untrusted') this.skip();
    api = await vscode.extensions.getExtension<KdUdaApi>(EXTENSION_ID)!.activate();
    workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    runsDir = path.join(workspace, 'runs');
  });

  after(async () => {
    for (const dir of made) await rm(dir, { recursive: true, force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('labels a run by its experiment, with its start time and state beside it, and Enter opens its Results', async () => {
    const dir = await fakeRun('20260102-030405-labelled', 'labelled', 'done', {
      'results.json': runResults({ targets: ['usps'], headline: { epoch: 1, accuracy: { student: { usps: 0.5 } } } }),
    });
    const item = api.runs.getTreeItem(await runNode(dir));
    assert.equal(labelText(item), 'labelled', 'the experiment, not the run id with its timestamp');
    assert.equal(item.description, '2026-01-02 03:04 · done');
    assert.equal(item.command?.command, 'kdUda.openResults', 'Enter (or a click) on a run opens its results');
    await vscode.commands.executeCommand(item.command.command, ...((item.command.arguments ?? []) as unknown[]));
    await poll('the Results panel of the run', () => tabLabels().includes('Results: 20260102-030405-labelled'));
  });

  it('offers Stop only on a running run, and Delete on every run that is not running', async () => {
    const running = await fakeRun('20260102-040000-stoppable', 'stoppable', 'running');
    const cases: [string, string, boolean][] = [
      ['running', running, true],
      ['done', await fakeRun('20260102-040001-stoppable', 'stoppable', 'done'), false],
      ['stopped', await fakeRun('20260102-040002-stoppable', 'stoppable', 'stopped'), false],
      ['failed', await fakeRun('20260102-040003-stoppable', 'stoppable', 'failed'), false],
      // Prepared by a Start Run of a window since closed: no trainer, no job, nothing to stop.
      ['queued here', await fakeRun('20260102-040004-stoppable', 'stoppable', 'queued'), false],
    ];
    const menus = await Promise.all(
      cases.map(async ([what, dir, stops]) => {
        const contextValue = api.runs.getTreeItem(await runNode(dir)).contextValue ?? '';
        return { what, stops, contextValue, commands: runMenuCommands(contextValue) };
      }),
    );
    for (const { what, stops, contextValue, commands } of menus)
      assert.equal(commands.has('kdUda.stopRun'), stops, `Stop on a ${what} run (contextValue ${contextValue})`);
    // The view's title bar: Stop stands for the runs of this window, and none runs.
    const titleStop = menu('view/title').filter((entry) => entry.command === 'kdUda.stopRun');
    assert.ok(titleStop.length > 0, 'Stop is in the title bar');
    for (const entry of titleStop) assert.equal(whenHolds(entry.when, { view: 'kdUda.runs' }), false, `title Stop shows with no run active: ${entry.when}`);
    for (const { what, stops, contextValue, commands } of menus) {
      assert.equal(commands.has('kdUda.deleteRun'), !stops, `Delete on a ${what} run (contextValue ${contextValue})`);
      assert.ok(commands.has('kdUda.revealRun'), `Reveal in Explorer on a ${what} run`);
    }
  });

  it('Delete Run asks first, naming the run: cancelled, the folder stays; confirmed, it is gone from the runs folder', async () => {
    const dir = await fakeRun('20260102-050000-deletable', 'deletable', 'done');
    const node = await runNode(dir);
    const cancelled = await notifications(
      'warning',
      async () => void (await vscode.commands.executeCommand('kdUda.deleteRun', node)),
      () => null,
    );
    assert.equal(cancelled.length, 1, JSON.stringify(cancelled));
    assert.match(cancelled[0].message, /deletable/, 'the question names the experiment');
    assert.match(cancelled[0].message, /20260102-050000-deletable/, 'and the run');
    assert.ok(existsSync(dir), 'cancelled: nothing is deleted');

    let result: { deleted: boolean; how?: string } | undefined;
    const confirmed = await notifications(
      'warning',
      async () => {
        result = await vscode.commands.executeCommand<{ deleted: boolean; how?: string }>('kdUda.deleteRun', node);
      },
      // Move to Trash; where this VS Code has no trash (a browser or remote window), the second question.
      (shown) => shown.actions.find((action) => /^(Move to Trash|Delete Permanently)$/.test(action)),
    );
    assert.ok(
      confirmed.some((shown) => shown.actions.includes('Move to Trash')),
      JSON.stringify(confirmed),
    );
    assert.equal(existsSync(dir), false, 'confirmed: the run folder is gone');
    // Deleting for good is asked about apart, and only where the trash failed.
    assert.equal(result?.deleted, true);
    assert.equal(
      confirmed.some((shown) => shown.actions.includes('Delete Permanently')),
      result?.how === 'permanently',
      `deleted ${result?.how}: ${JSON.stringify(confirmed)}`,
    );
    await poll('the Runs view to drop the run', async () => {
      for (const group of await api.runs.getChildren())
        for (const child of await api.runs.getChildren(group)) if (child.kind === 'run' && child.run.dir === dir) return false;
      return true;
    });
  });

  it('Delete Run refuses a running run without asking', async () => {
    const dir = await fakeRun('20260102-060000-busy', 'busy', 'running');
    const node = await runNode(dir);
    let result: { deleted: boolean; reason?: string } | undefined;
    const asked = await notifications(
      'warning',
      async () => {
        result = await vscode.commands.executeCommand<{ deleted: boolean; reason?: string }>('kdUda.deleteRun', node);
      },
      () => null,
    );
    assert.equal(result?.deleted, false);
    assert.match(result?.reason ?? '', /running/);
    assert.equal(
      asked.some((shown) => shown.actions.includes('Move to Trash')),
      false,
      'no confirmation is asked',
    );
    assert.ok(existsSync(dir));
  });

  it("an experiment file's Open Results lens lists that experiment's runs only", async () => {
    const mine = [await fakeRun('20260102-070000-lens-mine', 'lens-mine', 'done'), await fakeRun('20260102-070100-lens-mine', 'lens-mine', 'stopped')];
    await fakeRun('20260102-070200-lens-other', 'lens-other', 'done');
    const file = await writeExperiment(workspace, 'lens-mine', {
      version: 1,
      name: 'lens-mine',
      data: { root: 'data', source: 'mnist', targets: ['usps'] },
      method: { name: 'source-only' },
    });
    made.push(file);
    const uri = vscode.Uri.file(file);
    await vscode.workspace.openTextDocument(uri);
    const lenses = await poll('the lenses of the experiment file', async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return found.some((lens) => lens.command?.title.includes('Open Results')) ? found : undefined;
    });
    const lens = lenses.find((candidate) => candidate.command?.title.includes('Open Results'))!;
    const picked: string[] = [];
    const original = vscode.window.showQuickPick;
    vscode.window.showQuickPick = ((items: readonly (vscode.QuickPickItem & { dir?: string })[]) => {
      picked.push(...items.map((item) => item.dir ?? item.label));
      return Promise.resolve(undefined);
    }) as unknown as typeof vscode.window.showQuickPick;
    try {
      await vscode.commands.executeCommand(lens.command!.command, ...((lens.command!.arguments ?? []) as unknown[]));
    } finally {
      vscode.window.showQuickPick = original;
    }
    assert.deepEqual(picked.sort(), [...mine].sort());
  });
});
