import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { KdUdaApi } from '../../src/extension';
import type { ActiveRun } from '../../src/host/runsView/activeRuns';
import type { RunNode } from '../../src/host/runsView/runsTreeProvider';
import { listRuns, type RunListing } from '../../src/runFolder/listRuns';
import { readRunResults } from '../../src/runFolder/readRunResults';
import { runStartedText } from '../../src/runFolder/runNaming';
import { tinyExperiment, writeExperiment } from '../fixtures/experiments';
import { createImageTree } from '../fixtures/imageTree';
import { poll } from '../harness/poll';
import { errorNotifications, notifications, type ShownNotification } from './errorNotifications';
import { labelText, tooltipText } from './treeItemText';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

type RunTreeNode = Extract<RunNode, { kind: 'run' }>;

/** Every run in the Runs view, with the label of the experiment it is listed under. */
async function runsInTree(api: KdUdaApi): Promise<{ experiment: string; node: RunTreeNode }[]> {
  const listed: { experiment: string; node: RunTreeNode }[] = [];
  for (const group of await api.runs.getChildren()) {
    assert.equal(group.kind, 'experiment', 'the top level lists experiments');
    for (const node of await api.runs.getChildren(group)) {
      if (node.kind === 'run') listed.push({ experiment: labelText(api.runs.getTreeItem(group)), node });
    }
  }
  return listed;
}

/** A run's tooltip as the user sees it on hover (a failed run's is resolved then). */
async function tooltipOf(api: KdUdaApi, node: RunNode): Promise<string> {
  const item = await api.runs.resolveTreeItem(api.runs.getTreeItem(node), node);
  return tooltipText(item);
}

describe('Runs: Start Run and Stop Run', function () {
  this.timeout(150_000);
  let workspace: string;
  let dataset: string;
  let runsDir: string;
  const experiments: string[] = [];

  async function experiment(name: string, fields: Record<string, unknown>): Promise<vscode.Uri> {
    const file = await writeExperiment(workspace, name, {
      name,
      data: { root: dataset, source: 'photos', targets: ['sketches'], imageSize: 16, channels: 3, split: { kind: 'all' } },
      student: { architecture: 'lenet5' },
      method: { name: 'source-only' },
      batchSize: 4,
      backend: 'wasm',
      ...fields,
    });
    experiments.push(file);
    return vscode.Uri.file(file);
  }

  async function runOf(name: string, state?: string): Promise<RunListing> {
    return poll(
      `a run of ${name}${state ? ` in state ${state}` : ''}`,
      async () => (await listRuns(runsDir)).find((run) => run.runId.endsWith(`-${name}`) && (!state || run.state === state)),
      60_000,
    );
  }

  before(async function () {
    if (process.env.KDUDA_TEST_TRUST === 'untrusted') this.skip();
    workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    runsDir = path.join(workspace, 'runs');
    dataset = path.join(await mkdtemp(path.join(os.tmpdir(), 'kd-uda-it-runs-')), 'data');
    await createImageTree(dataset, { photos: { cat: 6, dog: 6 }, sketches: { cat: 6, dog: 6 } }, { size: 16 });
  });

  after(async () => {
    for (const file of experiments) await rm(file, { force: true });
    if (runsDir) await rm(runsDir, { recursive: true, force: true });
    if (dataset) await rm(path.dirname(dataset), { recursive: true, force: true });
  });

  it('refuses an experiment with problems, names them, and starts nothing', async () => {
    const uri = await experiment('bad', { data: { root: dataset, source: 'photos', targets: ['photos'] } });
    const result = await vscode.commands.executeCommand<{ started: boolean; reason?: string }>('kdUda.startRun', uri);
    assert.equal(result.started, false);
    assert.match(result.reason ?? '', /data\.targets\[0\]: the source domain "photos" cannot also be a target/);
    assert.equal(existsSync(runsDir) && (await listRuns(runsDir)).some((run) => run.runId.endsWith('-bad')), false);
  });

  it('shows a run that another process writes (a terminal, a scheduler), without a refresh', async () => {
    const api = await vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab')!.activate();
    let changes = 0;
    const listening = api.runs.onDidChangeTreeData(() => changes++);
    try {
      const dir = path.join(runsDir, '20260101-000000-from-terminal');
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'status.json'), JSON.stringify({ version: 1, state: 'running' }));
      await poll('the Runs view to be told about the new run', () => changes > 0, 15_000);
      await writeFile(path.join(dir, 'status.json'), JSON.stringify({ version: 1, state: 'failed', error: 'out of memory' }));
      const listed = await poll('the run to show as failed', async () =>
        (await runsInTree(api)).find(({ node }) => node.run.runId.endsWith('from-terminal') && node.run.state === 'failed'),
      );
      assert.equal(listed.experiment, '(unknown experiment)', 'a run without experiment.json is grouped apart');
      assert.match(await tooltipOf(api, listed.node), /Failed: out of memory/);
      await rm(dir, { recursive: true, force: true });
    } finally {
      listening.dispose();
    }
  });

  it('shows a terminal run whose trainer dies without a word (SIGKILL) as failed, without a refresh', async () => {
    const api = await vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab')!.activate();
    // Stands in for a trainer started from a terminal: a process whose pid the run records.
    const trainer = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
    const dir = path.join(runsDir, '20260101-000001-terminal-killed');
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(
        path.join(dir, 'trainer.log'),
        '2026-01-01T00:00:00.000Z run folder: somewhere\n2026-01-01T00:00:09.000Z epoch 1/5: student 51.0% mean target accuracy\n',
      );
      await writeFile(path.join(dir, 'status.json'), JSON.stringify({ version: 1, state: 'running', pid: trainer.pid, host: os.hostname() }));
      await poll('the run to show as running', async () =>
        (await runsInTree(api)).find(({ node }) => node.run.runId.endsWith('terminal-killed') && node.run.state === 'running'),
      );
      let changes = 0;
      const listening = api.runs.onDidChangeTreeData(() => changes++);
      try {
        trainer.kill('SIGKILL');
        // status.json does not change, so only the view's own check of running runs can notice.
        await poll('the Runs view to be told that the run changed', () => changes > 0, 15_000);
      } finally {
        listening.dispose();
      }
      const listed = await poll('the run to show as failed', async () =>
        (await runsInTree(api)).find(({ node }) => node.run.runId.endsWith('terminal-killed') && node.run.state === 'failed'),
      );
      assert.match(
        await tooltipOf(api, listed.node),
        /never recorded an end(.*\n)*Last lines of trainer\.log:\n.*run folder: somewhere\n.*epoch 1\/5: student 51\.0%/,
      );
    } finally {
      trainer.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs a tiny experiment to done and shows it in the Runs view', async () => {
    const api = await vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab')!.activate();
    const uri = await experiment('tiny', { epochs: 1, stepsPerEpoch: 2 });
    const result = await vscode.commands.executeCommand<{ started: boolean; reason?: string }>('kdUda.startRun', uri);
    assert.equal(result.started, true, result.reason);
    const run = await runOf('tiny', 'done');
    assert.ok(existsSync(path.join(run.dir, 'results.json')), 'results.json written');
    const listed = await poll(
      'the Runs view to list the run as done',
      async () => (await runsInTree(api)).find(({ node }) => node.run.runId === run.runId && node.run.state === 'done'),
      30_000,
    );
    assert.equal(listed.experiment, 'tiny', 'the run is listed under its experiment');
    const { node } = listed;
    assert.equal(labelText(api.runs.getTreeItem(node)), 'tiny');
    assert.match(String(api.runs.getTreeItem(node).description), /^\d{4}-\d\d-\d\d \d\d:\d\d · done$/);
    assert.equal(api.runs.getTreeItem(node).contextValue, 'run.done', 'the run menus match on run.<state>');
    const children = await api.runs.getChildren(node);
    assert.deepEqual(
      children.map((child) => (child.kind === 'model' ? child.model.role : child.kind)),
      ['student', 'checkpoints'],
      'source-only trains the student alone',
    );
    assert.match(String(api.runs.getTreeItem(children[0]).description), /^mean \d+\.\d% · sketches \d+\.\d%$/);
    const checkpoints = await api.runs.getChildren(children[1]);
    assert.deepEqual(
      checkpoints.map((checkpoint) => {
        const item = api.runs.getTreeItem(checkpoint);
        return [item.label, item.contextValue, checkpoint.kind === 'checkpoint' && path.relative(run.dir, checkpoint.checkpoint.dir)];
      }),
      [['student · epoch 1', 'checkpoint', path.join('checkpoints', 'student', 'epoch-1')]],
    );
    assert.match(String(api.runs.getTreeItem(checkpoints[0]).description), /^\d+\.\d KiB · latest$/);

    const exported = await vscode.commands.executeCommand<vscode.TextDocument>('kdUda.exportResults', run.dir, 'csv');
    assert.match(exported.getText(), /^model,sketches,mean\nstudent,\d+\.\d,\d+\.\d\n$/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it("a finished run's notification names its experiment once, with each model's mean target accuracy, and opens its Results", async () => {
    const file = await writeExperiment(
      workspace,
      'notified',
      tinyExperiment({ data: { root: dataset, source: 'photos', targets: ['sketches'], split: { kind: 'all' } } }),
    );
    experiments.push(file);
    let run: RunListing | undefined;
    const shown = await notifications(
      'information',
      async (seen) => {
        const result = await vscode.commands.executeCommand<{ started: boolean; reason?: string }>('kdUda.startRun', vscode.Uri.file(file));
        assert.equal(result.started, true, result.reason);
        run = await runOf('notified', 'done');
        await poll('the done notification', () => seen.some(({ message }) => message.includes('notified')), 30_000);
      },
      ({ actions }) => (actions.includes('Open Results') ? 'Open Results' : undefined),
    );
    const reading = await readRunResults(run!.dir);
    assert.equal(reading.kind, 'results');
    const mean = (role: string) => {
      const value = reading.kind === 'results' ? reading.models.find((model) => model.role === role)?.meanTarget : undefined;
      assert.ok(value !== undefined, `results.json has ${role}'s mean`);
      return `${(100 * value).toFixed(1)}%`;
    };
    const done = shown.filter(({ message }) => message.includes('notified'));
    assert.deepEqual(done, [
      { message: `KD-UDA: notified done: student ${mean('student')}, teacher ${mean('teacher')} (mean target accuracy)`, actions: ['Open Results'] },
    ]);
    await poll('Open Results to show the run', () =>
      vscode.window.tabGroups.all.some((group) => group.tabs.some((tab) => tab.label === `Results: ${path.basename(run!.dir)}`)),
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a trainer that fails shows failed in the Runs view and says so, with the error’s sentence and no log tail', async () => {
    const api = await vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab')!.activate();
    // A warm start whose model.json exists passes the checks before the run, and fails to load in it.
    const broken = path.join(path.dirname(dataset), 'broken-checkpoint');
    await mkdir(broken, { recursive: true });
    await writeFile(path.join(broken, 'model.json'), '{}');
    const uri = await experiment('gone', { student: { architecture: 'lenet5', warmStart: broken } });
    let run: RunListing | undefined;
    const failures = await notifications(
      'error',
      async (shown) => {
        const result = await vscode.commands.executeCommand<{ started: boolean; reason?: string }>('kdUda.startRun', uri);
        assert.equal(result.started, true, result.reason);
        run = await runOf('gone', 'failed');
        await poll('the failure notification', () => shown.some(({ message }) => message.includes('gone')), 30_000);
      },
      ({ actions }) => (actions.includes('Show Trainer Log') ? 'Show Trainer Log' : undefined),
    );
    assert.match(run!.error ?? '', /broken-checkpoint/);
    const listed = await poll('the failed run in the Runs view', async () =>
      (await runsInTree(api)).find(({ node }) => node.run.runId === run!.runId && node.run.state === 'failed'),
    );
    assert.equal(listed.experiment, 'gone');
    assert.match(String(api.runs.getTreeItem(listed.node).description), /^\d{4}-\d\d-\d\d \d\d:\d\d · failed: .*broken-checkpoint/);
    assert.equal(api.runs.getTreeItem(listed.node).contextValue, 'run.failed');
    const tooltip = await tooltipOf(api, listed.node);
    // The error's sentence, not the log's tail: the whole log is Show Trainer Log's.
    assert.match(tooltip, /\nFailed: [^\n]*broken-checkpoint[^\n]*\n\nShow Trainer Log/);
    assert.doesNotMatch(tooltip, /Last lines|\n\s+at\s/, 'trainer.log keeps the stack; the tooltip shows none of its frames');
    const shown = failures.find(({ message }) => message.startsWith('KD-UDA: gone failed'));
    assert.ok(shown, `notifications: ${JSON.stringify(failures)}`);
    // The error the trainer recorded, in one line: not the output's tail, which says where and not what.
    assert.match(shown.message, /^KD-UDA: gone failed \(exit code 1\): [^\n]*broken-checkpoint[^\n]*$/);
    assert.doesNotMatch(shown.message, /Last lines|\s+at\s/, 'no log tail, no stack frames');
    assert.deepEqual(shown.actions, ['Show Trainer Log']);
    const log = await poll('Show Trainer Log to open the run’s log', () => {
      const file = vscode.window.activeTextEditor?.document.uri.fsPath;
      return file === path.join(run!.dir, 'trainer.log') ? file : undefined;
    });
    assert.ok(log);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('a trainer that refuses to start (a warm start missing): the notification lists its problems; no run folder', async () => {
    const api = await vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab')!.activate();
    // Valid to the schema and to the dataset's scan (a missing root is Start Run's own to report), so Start Run spawns the trainer, whose checks find the checkpoint gone.
    const missing = path.join(path.dirname(dataset), 'deleted-after-validation');
    const uri = await experiment('refused', { student: { architecture: 'lenet5', warmStart: path.join(missing, 'epoch-1') } });
    const refusals = await errorNotifications(async () => {
      const result = await vscode.commands.executeCommand<{ started: boolean; reason?: string }>('kdUda.startRun', uri);
      assert.equal(result.started, false, 'the trainer’s checks refused it before any run');
      assert.match(result.reason ?? '', /no checkpoint at .*deleted-after-validation/);
      assert.equal(api.activeRuns.list().length, 0);
      await new Promise((resolve) => setTimeout(resolve, 500));
    });
    const shown = refusals.find((message) => message.includes('run refused'));
    assert.ok(shown, `notifications: ${JSON.stringify(refusals)}`);
    assert.match(shown, /^KD-UDA: run refused was not started \(1 problem\): .*refused\.kdexp\.json:\d+:\d+: student\.warmStart: no checkpoint at /);
    assert.doesNotMatch(shown, /Last lines|exit code|\n\s*at\s/, "the problems, not the output's tail");
    assert.equal(
      (await listRuns(runsDir)).some((run) => run.runId.endsWith('-refused')),
      false,
      'no run folder',
    );
  });

  it('a trainer killed mid-run (out of memory, SIGKILL) shows failed with its last log lines', async () => {
    const api = await vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab')!.activate();
    const uri = await experiment('killed', { epochs: 50, stepsPerEpoch: 50 });
    let run: RunListing | undefined;
    const killedNotifications = await notifications('error', async () => {
      const result = await vscode.commands.executeCommand<{ started: boolean; pid?: number; reason?: string }>('kdUda.startRun', uri);
      assert.equal(result.started, true, result.reason);
      run = await runOf('killed', 'running');
      await poll(
        'a first training step',
        async () => ((await readFile(path.join(run!.dir, 'events.jsonl'), 'utf8').catch(() => '')).includes('"kind":"step"') ? true : undefined),
        60_000,
      );
      process.kill(result.pid!, 'SIGKILL');
      await poll('the trainer to be gone', () => !alive(result.pid!) && api.activeRuns.list().length === 0, 15_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
    });
    assert.match(await readFile(path.join(run!.dir, 'status.json'), 'utf8'), /"state":\s*"running"/, 'the killed trainer could not record its end');
    const listed = await poll('the killed run to show as failed', async () =>
      (await runsInTree(api)).find(({ node }) => node.run.runId === run!.runId && node.run.state === 'failed'),
    );
    assert.match(
      String(api.runs.getTreeItem(listed.node).description),
      /^\d{4}-\d\d-\d\d \d\d:\d\d · failed: the trainer \(pid \d+\) is gone but never recorded an end/,
    );
    assert.match(await tooltipOf(api, listed.node), /Last lines of trainer\.log:\n(.*\n)*.*run folder: /);
    assert.doesNotMatch(await tooltipOf(api, listed.node), /Resume/, 'no checkpoint: nothing to resume from');
    const shown = killedNotifications.find(({ message }) => message.includes('killed failed'));
    assert.ok(shown, `notifications: ${JSON.stringify(killedNotifications)}`);
    assert.match(
      shown.message,
      /^KD-UDA: killed failed \(killed by SIGKILL\): the trainer \(pid \d+\) is gone but never recorded an end: it crashed or was killed\.$/,
    );
    assert.doesNotMatch(shown.message, /Last lines|kd-uda train|--resume/);
    assert.deepEqual(shown.actions, ['Show Trainer Log'], 'killed before its first checkpoint: nothing to resume from');
  });

  it('a killed run that saved a checkpoint: Resume beside Show Trainer Log continues it; no CLI command to type; channels named by experiment and start', async () => {
    const api = await vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab')!.activate();
    // backend auto: whatever this machine lacks, the run's output gives no install steps nobody asked for.
    const uri = await experiment('resumable', { epochs: 500, stepsPerEpoch: 2, backend: 'auto' });
    const failedNote = (message: string) => message.startsWith('KD-UDA: resumable failed');
    let run: RunListing | undefined;
    let first: ActiveRun | undefined;
    let resumed: ActiveRun | undefined;
    const shown = await notifications(
      'error',
      async (seen) => {
        const result = await vscode.commands.executeCommand<{ started: boolean; pid?: number; reason?: string }>('kdUda.startRun', uri);
        assert.equal(result.started, true, result.reason);
        run = await runOf('resumable', 'running');
        first = api.activeRuns.list().find((active) => active.runDir === run!.dir);
        await poll('a first checkpoint', () => existsSync(path.join(run!.dir, 'checkpoints', 'latest.json')), 60_000);
        process.kill(result.pid!, 'SIGKILL');
        // The test clicks Resume on the failure's notification: the run executes again, in its own folder.
        resumed = await poll(
          'the Resume button to resume the run',
          () => api.activeRuns.list().find((active) => active !== first && active.runDir === run!.dir),
          30_000,
        );
        await poll(
          'the resumed trainer to continue from the checkpoint',
          async () => ((await readFile(path.join(run!.dir, 'events.jsonl'), 'utf8')).includes('"kind":"resume"') ? true : undefined),
          60_000,
        );
        // Killed again: this time the notification is dismissed, and the Runs view says how to resume it.
        process.kill(resumed.execution.pid!, 'SIGKILL');
        await poll('the second failure’s notification', () => seen.filter(({ message }) => failedNote(message)).length === 2, 30_000);
      },
      ({ message }) => (failedNote(message) ? (api.activeRuns.list().length === 0 && !resumed ? 'Resume' : null) : undefined),
    );
    const [note] = shown.filter(({ message }) => failedNote(message));
    assert.match(
      note.message,
      /^KD-UDA: resumable failed \(killed by SIGKILL\): the trainer \(pid \d+\) is gone but never recorded an end: it crashed or was killed\. Resume continues it from its checkpoint at (the end of epoch \d+|epoch \d+, step \d+)\.$/,
    );
    assert.doesNotMatch(note.message, /kd-uda train|--resume/, 'worded for VS Code, not a terminal');
    assert.deepEqual(note.actions, ['Resume', 'Show Trainer Log']);

    const listed = await poll('the killed run to show as failed', async () =>
      (await runsInTree(api)).find(({ node }) => node.run.runId === run!.runId && node.run.state === 'failed'),
    );
    const description = String(api.runs.getTreeItem(listed.node).description);
    assert.doesNotMatch(description, /kd-uda train|--resume/);
    assert.match(await tooltipOf(api, listed.node), /\nResume Run \(its inline action or context menu\) continues it from its checkpoint at /);

    // Two channels, one per execution, each named by the experiment and when the run started; the resume says so.
    const stamp = String(runStartedText(run!.runId)).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(first!.output.name, new RegExp(`^KD-UDA run: resumable · ${stamp}:\\d\\d$`));
    assert.match(resumed!.output.name, new RegExp(`^KD-UDA run: resumable · ${stamp}:\\d\\d · resumed \\d\\d:\\d\\d:\\d\\d$`));
    first!.output.show(true);
    const output = await poll('the first run’s output', () =>
      vscode.workspace.textDocuments.find((document) => document.uri.scheme === 'output' && document.getText().includes(`run folder: ${run!.dir}`))?.getText(),
    );
    assert.match(output, /^backend: /m, 'the backend lines are there');
    assert.doesNotMatch(
      output,
      /npm install|setup:native|Install Native|To use it: needs an NVIDIA GPU/,
      'no GPU-install steps in a run that did not ask for the GPU',
    );
  });

  it('a backend asked for and not installed: one problem, worded for VS Code, with a button that runs Install Native TensorFlow Backend', async () => {
    const uri = await experiment('gpu', { backend: 'tensorflow-gpu' });
    const window = vscode.window as unknown as { showQuickPick: (items: unknown, options?: vscode.QuickPickOptions) => Thenable<unknown> };
    const showQuickPick = window.showQuickPick;
    const picks: string[] = [];
    window.showQuickPick = (_items, options) => {
      picks.push(options?.title ?? '');
      return Promise.resolve(undefined);
    };
    let shown: ShownNotification[];
    try {
      shown = await notifications(
        'error',
        async () => {
          const result = await vscode.commands.executeCommand<{ started: boolean; reason?: string }>('kdUda.startRun', uri);
          assert.equal(result.started, false);
          assert.match(result.reason ?? '', /@tensorflow\/tfjs-node-gpu is not installed/);
          await poll('the install command to ask which build to fetch', () => picks.length > 0, 30_000);
        },
        ({ message }) => (message.startsWith('KD-UDA: run gpu was not started') ? 'Install Native Backend' : undefined),
      );
    } finally {
      window.showQuickPick = showQuickPick;
    }
    const note = shown.find(({ message }) => message.startsWith('KD-UDA: run gpu was not started'));
    assert.ok(note, JSON.stringify(shown));
    assert.match(note.message, /^KD-UDA: run gpu was not started \(1 problem\): .*gpu\.kdexp\.json:\d+:\d+: backend: backend "tensorflow-gpu" was asked for/);
    assert.match(note.message, /run "KD-UDA: Install Native TensorFlow Backend" from VS Code's Command Palette and choose the GPU build/);
    assert.doesNotMatch(note.message, /npm install/, 'nothing to type');
    assert.deepEqual(note.actions, ['Open File', 'Install Native Backend']);
    assert.deepEqual(picks, ['KD-UDA: Install Native TensorFlow Backend'], 'the button ran the palette command');
  });

  it('queues a run beyond kdUda.maxConcurrentRuns and starts it when a slot frees', async () => {
    const config = vscode.workspace.getConfiguration('kdUda');
    await config.update('maxConcurrentRuns', 1, vscode.ConfigurationTarget.Workspace);
    try {
      const first = await vscode.commands.executeCommand<{ started: boolean }>('kdUda.startRun', await experiment('first', { epochs: 50, stepsPerEpoch: 50 }));
      assert.equal(first.started, true);
      const second = await vscode.commands.executeCommand<{ started: boolean; queued?: number }>(
        'kdUda.startRun',
        await experiment('second', { epochs: 1, stepsPerEpoch: 2 }),
      );
      assert.equal(second.started, false);
      assert.equal(second.queued, 1);
      await runOf('first', 'running');
      const waiting = await runOf('second', 'queued');
      assert.equal(existsSync(path.join(waiting.dir, 'events.jsonl')), false, 'the queued run has a prepared folder and has not started');
      await vscode.commands.executeCommand('kdUda.stopRun');
      await runOf('first', 'stopped');
      await runOf('second', 'done');
    } finally {
      await config.update('maxConcurrentRuns', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('stops a running run: it checkpoints, is marked stopped, and no process is left', async () => {
    const uri = await experiment('long', { epochs: 50, stepsPerEpoch: 50 });
    const result = await vscode.commands.executeCommand<{ started: boolean; pid?: number; reason?: string }>('kdUda.startRun', uri);
    assert.equal(result.started, true, result.reason);
    const run = await runOf('long', 'running');
    await poll(
      'a first training step',
      async () => ((await readFile(path.join(run.dir, 'events.jsonl'), 'utf8').catch(() => '')).includes('"kind":"step"') ? true : undefined),
      60_000,
    );
    // The run folder from the trainer's announcement, the epoch from that folder's events: not from its log.
    const api = await vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab')!.activate();
    const progress = await poll(
      'the run’s first epoch',
      () => {
        const [active] = api.activeRuns.list();
        return active?.runDir === run.dir ? active.progress : undefined;
      },
      60_000,
    );
    assert.match(progress.summary, /^epoch \d+\/50: student \d+\.\d% mean target accuracy$/);
    // The stopped run's notification offers Resume, which this test clicks.
    const shown = await notifications(
      'information',
      async (seen) => {
        const stopped = await vscode.commands.executeCommand<{ stopped: number }>('kdUda.stopRun');
        assert.equal(stopped.stopped, 1);
        await runOf('long', 'stopped');
        assert.ok(existsSync(path.join(run.dir, 'checkpoints', 'latest.json')), 'a checkpoint was written on stop');
        assert.equal(alive(result.pid!), false, 'the trainer process has exited');
        await poll('the stopped notification', () => seen.some(({ message }) => message.startsWith('KD-UDA: long stopped')), 30_000);
      },
      ({ message }) => (message.startsWith('KD-UDA: long stopped') ? 'Resume' : undefined),
    );
    const stoppedNote = shown.find(({ message }) => message.startsWith('KD-UDA: long stopped'))!;
    assert.match(stoppedNote.message, /^KD-UDA: long stopped after epoch \d+\/50: student \d+\.\d% \(mean target accuracy\)\.?/);
    assert.deepEqual(stoppedNote.actions, ['Resume', 'Open Results']);
    await poll(
      'the run to resume',
      async () => ((await readFile(path.join(run.dir, 'events.jsonl'), 'utf8')).includes('"kind":"resume"') ? true : undefined),
      60_000,
    );
    await runOf('long', 'running');
    assert.equal((await vscode.commands.executeCommand<{ stopped: number }>('kdUda.stopRun')).stopped, 1);
    await runOf('long', 'stopped');

    const log = await vscode.commands.executeCommand<vscode.TextEditor>('kdUda.showTrainerLog', run.dir);
    assert.ok(log.document.uri.fsPath.endsWith(path.join(path.basename(run.dir), 'trainer.log')));
    assert.match(log.document.getText(), /run folder: /);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
