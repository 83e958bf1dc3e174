import * as assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { KdUdaApi } from '../../src/extension';
import { diffReportFile } from '../../src/checkpointDiff/runCheckpoints';
import type { CompareCheckpointsResult } from '../../src/host/commands/compareCheckpoints';
import type { RunNode } from '../../src/host/runsView/runsTreeProvider';
import { tinyExperiment, writeExperiment } from '../fixtures/experiments';
import { createImageTree } from '../fixtures/imageTree';
import { poll } from '../harness/poll';
import { trainFromTerminal } from './trainFromTerminal';
import { labelText } from './treeItemText';

const EXTENSION_ID = 'kd-uda-lab.kd-uda-lab';
const EPOCHS = 3;

type Pick = vscode.QuickPickItem & { dir?: string; browse?: boolean };

/** Trains a tiny three-epoch KD-STDA run into `runsDir` with the extension's own trainer bundle, keeping every epoch (the default). */
async function trainThreeEpochs(root: string, runsDir: string): Promise<string> {
  await createImageTree(path.join(root, 'data'), { src: { a: 6, b: 6 }, tgt: { a: 6, b: 6 } });
  const file = await writeExperiment(
    root,
    'history',
    tinyExperiment({ name: 'history', data: { root: 'data', source: 'src', targets: ['tgt'], split: { kind: 'all' } }, epochs: EPOCHS }),
  );
  const before = new Set(await readdir(runsDir).catch(() => []));
  await trainFromTerminal(file, runsDir);
  const made = (await readdir(runsDir)).filter((name) => !before.has(name));
  assert.equal(made.length, 1);
  return path.join(runsDir, made[0]);
}

/**
 * Runs `invoke` with the Compare Checkpoints pickers answered by `answer` (given the items shown,
 * in order of the pickers) and the folder dialog's options recorded; the items are what the
 * command offers, as the user would see them.
 */
async function withPickers<T>(
  answer: (items: readonly Pick[], picker: number) => Pick | undefined,
  invoke: () => Thenable<T>,
): Promise<{ result: T; shown: Pick[][]; dialogs: vscode.OpenDialogOptions[] }> {
  const shown: Pick[][] = [];
  const dialogs: vscode.OpenDialogOptions[] = [];
  const { showQuickPick, showOpenDialog } = vscode.window;
  vscode.window.showQuickPick = ((items: readonly Pick[]) => {
    shown.push([...items]);
    return Promise.resolve(answer(items, shown.length - 1));
  }) as unknown as typeof vscode.window.showQuickPick;
  vscode.window.showOpenDialog = (options?: vscode.OpenDialogOptions) => {
    dialogs.push(options ?? {});
    return Promise.resolve(undefined);
  };
  try {
    return { result: await invoke(), shown, dialogs };
  } finally {
    vscode.window.showQuickPick = showQuickPick;
    vscode.window.showOpenDialog = showOpenDialog;
  }
}

function openTabLabels(): string[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs.map((tab) => tab.label));
}

describe('Checkpoint history in the Runs view and Compare Checkpoints', function () {
  this.timeout(180_000);
  let api: KdUdaApi;
  let root: string;
  let runDir: string;
  const set = (role: string, epoch: number) => path.join(runDir, 'checkpoints', role, `epoch-${epoch}`);

  before(async function () {
    if (process.env.KDUDA_TEST_TRUST === 'untrusted') this.skip();
    api = await vscode.extensions.getExtension<KdUdaApi>(EXTENSION_ID)!.activate();
    root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-history-'));
    runDir = await trainThreeEpochs(root, path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'runs'));
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (runDir) await rm(runDir, { recursive: true, force: true });
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** The run's Checkpoints node's children, once the Runs view lists the run. */
  async function checkpointNodes(): Promise<RunNode[]> {
    const run = await poll('the run in the Runs view', async () => {
      for (const group of await api.runs.getChildren())
        for (const node of await api.runs.getChildren(group)) {
          const runs = node.kind === 'sweep' ? await api.runs.getChildren(node) : [node];
          const found = runs.find((candidate) => candidate.kind === 'run' && candidate.run.dir === runDir);
          if (found) return found;
        }
      return undefined;
    });
    const checkpoints = (await api.runs.getChildren(run)).find((node) => node.kind === 'checkpoints');
    assert.ok(checkpoints, 'the run has a Checkpoints node');
    return api.runs.getChildren(checkpoints);
  }

  it("lists every kept epoch of each model under the run's Checkpoints node, the latest marked, each with Compare Checkpoints inline", async () => {
    const nodes = await checkpointNodes();
    const items = nodes.map((node) => api.runs.getTreeItem(node));
    assert.deepEqual(
      items.map((item) => labelText(item)),
      ['teacher · epoch 3', 'teacher · epoch 2', 'teacher · epoch 1', 'student · epoch 3', 'student · epoch 2', 'student · epoch 1'],
    );
    assert.deepEqual(
      items.map((item) => String(item.description).endsWith(' · latest')),
      [true, false, false, true, false, false],
    );
    assert.ok(items.every((item) => item.contextValue === 'checkpoint'));
    const packageJson = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { menus: Record<string, { command: string; when?: string; group?: string }[]> };
    };
    assert.ok(
      packageJson.contributes.menus['view/item/context'].some(
        (entry) => entry.command === 'kdUda.compareCheckpoints' && entry.group === 'inline' && entry.when === 'view == kdUda.runs && viewItem == checkpoint',
      ),
      'a checkpoint carries Compare Checkpoints as an inline action',
    );
  });

  it("offers every kept epoch of the student, grouped by model, and compares the student's epoch 1 with its epoch 3", async () => {
    const [epoch1, epoch3] = [set('student', 1), set('student', EPOCHS)];
    const { result, shown } = await withPickers(
      (items, picker) => items.find((item) => item.dir === (picker === 0 ? epoch1 : epoch3)),
      () => vscode.commands.executeCommand<CompareCheckpointsResult>('kdUda.compareCheckpoints', runDir),
    );
    const offered = (items: readonly Pick[]) => items.map((item) => (item.kind === vscode.QuickPickItemKind.Separator ? `— ${item.label}` : item.label));
    assert.deepEqual(offered(shown[0]), [
      '— default',
      'student · epoch 3',
      '— teacher',
      'teacher · epoch 3',
      'teacher · epoch 2',
      'teacher · epoch 1',
      '— student',
      'student · epoch 2',
      'student · epoch 1',
      '— ',
      '$(folder-opened) Another checkpoint folder…',
    ]);
    assert.match(shown[0][1].description ?? '', /· latest · default$/);
    assert.ok(offered(shown[1]).includes('student · epoch 3') && !offered(shown[1]).includes('student · epoch 1'), 'B never offers A again');
    const reportFile = diffReportFile(runDir, epoch1, epoch3);
    assert.deepEqual(result, { opened: true, reportFile, computed: true });
    await poll('the Checkpoint Diff panel', () => openTabLabels().includes('Diff: student-epoch-1 ↔ student-epoch-3'));
  });

  it('from an epoch\'s node takes that epoch as A, and "another folder" opens at the run\'s checkpoints', async () => {
    const nodes = await checkpointNodes();
    const epoch1 = nodes.find((node) => node.kind === 'checkpoint' && node.checkpoint.dir === set('student', 1));
    assert.ok(epoch1);
    const reused = await withPickers(
      (items) => items.find((item) => item.dir === set('student', EPOCHS)),
      () => vscode.commands.executeCommand<CompareCheckpointsResult>('kdUda.compareCheckpoints', epoch1),
    );
    assert.equal(reused.shown.length, 1, 'only B is asked for');
    assert.deepEqual(reused.result, { opened: true, reportFile: diffReportFile(runDir, set('student', 1), set('student', EPOCHS)), computed: false });

    const browsed = await withPickers(
      (items) => items.find((item) => item.browse),
      () => vscode.commands.executeCommand<CompareCheckpointsResult>('kdUda.compareCheckpoints', epoch1),
    );
    assert.deepEqual(browsed.result, { opened: false, reason: 'no checkpoint B chosen' });
    assert.equal(browsed.dialogs[0]?.defaultUri?.fsPath, path.join(runDir, 'checkpoints'));
  });
});
