import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import type { KdUdaApi } from '../../src/extension';
import type { WizardStepShown } from '../../src/host/commands/newExperiment';
import { validateExperimentText } from '../../src/experiment/validateExperiment';
import { createImageTree } from '../fixtures/imageTree';
import { poll } from '../harness/poll';

type Result = { created: true; file: string } | { created: false; reason: string };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Answers the wizard through the real quick input, as a keyboard would: `keys` runs every 150 ms
 * (commands that find no quick input open do nothing) until the command has finished.
 */
async function drive(running: Thenable<unknown>, keys: (round: number) => Promise<void>): Promise<Result> {
  let settled = false;
  const result = Promise.resolve(running).finally(() => (settled = true));
  let round = 0;
  await poll(
    'the New Experiment wizard to finish',
    async () => {
      if (settled) return true;
      await keys(round++);
      return false;
    },
    30_000,
    150,
  );
  return (await result) as Result;
}

const enter = () => vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem') as Promise<void>;
const escape = () => vscode.commands.executeCommand('workbench.action.closeQuickOpen') as Promise<void>;
const down = () => vscode.commands.executeCommand('workbench.action.quickOpenSelectNext') as Promise<void>;
const up = () => vscode.commands.executeCommand('workbench.action.quickOpenSelectPrevious') as Promise<void>;
const back = () => vscode.commands.executeCommand('workbench.action.quickInputBack') as Promise<void>;

/**
 * Runs the wizard with `answer` called once for each step it shows (in order), as the steps the
 * extension reports through its API; returns the result and every step shown.
 */
async function driveSteps(
  api: KdUdaApi,
  target: unknown,
  answer: (shown: WizardStepShown, index: number) => Promise<unknown>,
): Promise<{ result: Result; steps: WizardStepShown[] }> {
  const steps: WizardStepShown[] = [];
  const listener = api.onDidShowWizardStep((shown) => steps.push(shown));
  let handled = 0;
  try {
    const result = await drive(vscode.commands.executeCommand('kdUda.newExperiment', target), async () => {
      if (handled >= steps.length) return;
      const index = handled++;
      await pause(200);
      await answer(steps[index], index);
    });
    return { result, steps };
  } finally {
    listener.dispose();
  }
}

const positions = (steps: WizardStepShown[]) => steps.map((shown) => `${shown.step}/${shown.totalSteps}${shown.back ? ' back' : ''}`);

describe('New Experiment command', function () {
  this.timeout(60_000);
  let workspace: string;
  let dataset: string;
  const experimentFiles = () =>
    readdirSync(workspace)
      .filter((name) => name.endsWith('.kdexp.json'))
      .sort();

  before(async () => {
    workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    // The harness's dataset (domains mnist and mnist-photo), first in the wizard's list of roots.
    dataset = path.join(workspace, 'digits');
    await vscode.workspace.getConfiguration('kdUda').update('datasets', [dataset], vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('kdUda').update('datasets', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('walks root, domains, method, models, folder and name by the quick picks, then writes a valid file and opens it', async () => {
    const result = await drive(vscode.commands.executeCommand('kdUda.newExperiment'), enter);
    assert.ok(result.created, result.created ? '' : result.reason);
    try {
      assert.equal(result.file, path.join(workspace, 'kd-stda-mnist-to-mnist-photo.kdexp.json'), 'the suggested name says what the experiment does');
      const editor = await poll(
        'the new file in the active editor',
        () => vscode.window.activeTextEditor?.document.uri.fsPath === result.file && vscode.window.activeTextEditor,
      );
      const text = editor.document.getText();
      assert.equal(text, await readFile(result.file, 'utf8'));
      const validation = validateExperimentText(text, result.file);
      assert.ok(validation.ok, validation.ok ? '' : JSON.stringify(validation.problems));
      const written = JSON.parse(text) as Record<string, unknown>;
      assert.deepEqual(written.data, { root: './digits', source: 'mnist', targets: ['mnist-photo'] });
      assert.deepEqual(written.method, { name: 'kd-stda' }, 'one target: kd-stda is the one highlighted');
      assert.deepEqual(written.student, { architecture: 'lenet5' });
      assert.deepEqual(written.teacher, { architecture: 'resnet-small' });
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await rm(result.file, { force: true });
    }
  });

  it('shows "n/N" and the wizard title on every step, with Back from the second on', async () => {
    const api = await vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab')!.activate();
    const { result, steps } = await driveSteps(api, undefined, () => enter());
    assert.ok(result.created, result.created ? '' : result.reason);
    try {
      // root, source, targets, method (kd-stda), student, teacher, folder, name
      assert.deepEqual(positions(steps), ['1/8', '2/8 back', '3/8 back', '4/8 back', '5/8 back', '6/8 back', '7/8 back', '8/8 back']);
      assert.ok(
        steps.every((shown) => shown.title === 'KD-UDA: New Experiment'),
        JSON.stringify(steps.map((shown) => shown.title)),
      );
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await rm(result.file, { force: true });
    }
  });

  it('goes Back to the previous step with its answer preselected, keeps the totals honest, and writes the changed answer', async () => {
    const api = await vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab')!.activate();
    const script: (() => Promise<unknown>)[] = [
      enter, // 1 root
      enter, // 2 source: mnist
      enter, // 3 targets: mnist-photo
      async () => (await up(), enter()), // 4 method: dann (kd-stda highlighted), which has no teacher
      back, // 5 student: back to the method
      async () => (await down(), enter()), // 4 method again, dann preselected: kd-stda after all
      enter, // 5 student
      enter, // 6 teacher
      enter, // 7 folder
      back, // 8 name: back to the folder
      enter, // 7 folder, kept
      enter, // 8 name
    ];
    const { result, steps } = await driveSteps(api, undefined, (_shown, index) => script[index]());
    assert.ok(result.created, result.created ? '' : result.reason);
    try {
      assert.deepEqual(positions(steps), [
        '1/8',
        '2/8 back',
        '3/8 back',
        '4/8 back',
        '5/7 back', // dann: no teacher step
        '4/7 back',
        '5/8 back', // kd-stda: the teacher step is back
        '6/8 back',
        '7/8 back',
        '8/8 back',
        '7/8 back',
        '8/8 back',
      ]);
      assert.deepEqual(steps[5].answer, ['dann'], 'the method chosen before Back is the one highlighted');
      assert.deepEqual(steps[9].answer, ['kd-stda-mnist-to-mnist-photo'], 'the name step offers the suggested name');
      assert.deepEqual(steps[10].answer, [`$(root-folder) ${path.basename(workspace)}`], 'the folder chosen before Back is the one highlighted');
      assert.equal(result.file, path.join(workspace, 'kd-stda-mnist-to-mnist-photo.kdexp.json'));
      const written = JSON.parse(await readFile(result.file, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(written.method, { name: 'kd-stda' }, 'the answer changed after Back is the one written');
      assert.deepEqual(written.teacher, { architecture: 'resnet-small' });
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await rm(result.file, { force: true });
    }
  });

  it('starts from a Datasets view domain: its root, and that domain as the source', async () => {
    const api = await vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab')!.activate();
    const domain = await poll('the mnist-photo domain in the Datasets view', () => {
      const root = api.datasets.tree.getChildren().find((node) => node.root === dataset);
      // The view scans a root when it shows its item.
      if (root) api.datasets.tree.getTreeItem(root);
      return root && api.datasets.tree.getChildren(root).find((node) => node.kind === 'domain' && node.domain === 'mnist-photo');
    });
    const result = await drive(vscode.commands.executeCommand('kdUda.newExperiment', domain), enter);
    assert.ok(result.created, result.created ? '' : result.reason);
    try {
      assert.deepEqual((JSON.parse(await readFile(result.file, 'utf8')) as { data?: unknown }).data, {
        root: './digits',
        source: 'mnist-photo',
        targets: ['mnist'],
      });
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await rm(result.file, { force: true });
    }
  });

  it('offers the domains of a root with its own train/ and test/ folders, not the splits, and writes a file that reads them', async () => {
    const api = await vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab')!.activate();
    const split = path.join(workspace, 'split-wizard-digits');
    await createImageTree(path.join(split, 'train'), { mnist: { '0': 2, '1': 2 }, svhn: { '0': 2, '1': 2 } });
    await createImageTree(path.join(split, 'test'), { mnist: { '0': 1, '1': 1 }, svhn: { '0': 1, '1': 1 } });
    const answers = { root: split, method: 'source-only', student: 'lenet5', folder: workspace, name: 'split-wizard' };
    const { result, steps } = await driveSteps(api, answers, () => enter());
    try {
      assert.ok(result.created, result.created ? '' : result.reason);
      assert.equal(steps.length, 2, 'source and targets are asked');
      assert.deepEqual(steps[1].answer, ['svhn'], 'the targets offered: the domains the splits share, less the source');
      const text = await readFile(result.file, 'utf8');
      assert.deepEqual((JSON.parse(text) as { data?: unknown }).data, {
        root: './split-wizard-digits',
        source: 'mnist',
        targets: ['svhn'],
        split: { kind: 'folders' },
      });
      const validation = validateExperimentText(text, result.file);
      assert.ok(validation.ok, JSON.stringify(validation));
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      if (result.created) await rm(result.file, { force: true });
      await rm(split, { recursive: true, force: true });
    }
  });

  it('writes nothing when Escape is pressed part way', async () => {
    const before = experimentFiles();
    const result = await drive(vscode.commands.executeCommand('kdUda.newExperiment'), (round) => (round < 3 ? enter() : escape()));
    assert.deepEqual(result, { created: false, reason: 'cancelled' });
    assert.deepEqual(experimentFiles(), before);
  });

  it('asks before replacing an existing file, keeps it by default, and replaces it only when told', async () => {
    const file = path.join(workspace, 'existing.kdexp.json');
    await writeFile(file, '{ "keep": "me" }\n');
    const answers = { root: dataset, source: 'mnist-photo', targets: ['mnist'], method: 'source-only', student: 'lenet5', folder: workspace, name: 'existing' };
    try {
      const kept = await drive(vscode.commands.executeCommand('kdUda.newExperiment', answers), enter);
      assert.ok(!kept.created);
      assert.match(kept.reason, /existing\.kdexp\.json exists and was kept/);
      assert.equal(await readFile(file, 'utf8'), '{ "keep": "me" }\n');

      // Every answer is given, so the only prompt (the question) is open once the command has checked the file.
      const running = vscode.commands.executeCommand('kdUda.newExperiment', answers);
      await pause(1000);
      const replaced = await drive(running, async () => {
        await down();
        await enter();
      });
      assert.ok(replaced.created, replaced.created ? '' : replaced.reason);
      const validation = validateExperimentText(await readFile(file, 'utf8'), file);
      assert.ok(validation.ok && validation.experiment.data.source === 'mnist-photo' && validation.experiment.method.name === 'source-only');
      assert.equal(existsSync(file), true);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await rm(file, { force: true });
    }
  });

  it('says why when the file cannot be written, and writes nothing', async () => {
    // A "folder" that is a file: the write fails as on a read-only or vanished folder.
    const notAFolder = path.join(workspace, 'not-a-folder.txt');
    await writeFile(notAFolder, 'a file\n');
    try {
      const answers = {
        root: dataset,
        source: 'mnist',
        targets: ['mnist-photo'],
        method: 'source-only',
        student: 'lenet5',
        folder: notAFolder,
        name: 'unwritable',
      };
      const result = await vscode.commands.executeCommand<Result>('kdUda.newExperiment', answers);
      assert.ok(!result.created);
      assert.match(result.reason, /^could not create the experiment: .*not-a-folder\.txt/);
      assert.equal(existsSync(path.join(notAFolder, 'unwritable.kdexp.json')), false);
    } finally {
      await rm(notAFolder, { force: true });
    }
  });
});
