import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { KdUdaApi } from '../../src/extension';
import { listRuns, type RunListing } from '../../src/runs/listRuns';
import { createImageTree } from '../fixtures/imageTree';
import { waitFor } from './waitFor';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('Runs: Start Run and Stop Run', function () {
  this.timeout(150_000);
  let workspace: string;
  let dataset: string;
  let runsDir: string;
  const experiments: string[] = [];

  async function experiment(name: string, fields: Record<string, unknown>): Promise<vscode.Uri> {
    const file = path.join(workspace, `${name}.kdexp.json`);
    const content = {
      name,
      data: { root: dataset, source: 'photos', targets: ['sketches'], imageSize: 16, channels: 3, split: { kind: 'all' } },
      student: { architecture: 'lenet5' },
      method: { name: 'source-only' },
      batchSize: 4,
      backend: 'wasm',
      ...fields,
    };
    await writeFile(file, JSON.stringify(content, null, 2));
    experiments.push(file);
    return vscode.Uri.file(file);
  }

  async function runOf(name: string, state?: string): Promise<RunListing> {
    return waitFor(
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
    const result = (await vscode.commands.executeCommand('kdUda.startRun', uri)) as { started: boolean; reason?: string };
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
      await waitFor('the Runs view to be told about the new run', () => changes > 0, 15_000);
      await writeFile(path.join(dir, 'status.json'), JSON.stringify({ version: 1, state: 'failed', error: 'out of memory' }));
      const node = await waitFor('the run to show as failed', async () =>
        (await api.runs.getChildren()).find((candidate) => candidate.kind === 'run' && candidate.run.runId.endsWith('from-terminal') && candidate.run.state === 'failed'),
      );
      assert.match(String(api.runs.getTreeItem(node).tooltip), /Failed: out of memory/);
      await rm(dir, { recursive: true, force: true });
    } finally {
      listening.dispose();
    }
  });

  it('runs a tiny experiment to done and shows it in the Runs view', async () => {
    const api = await vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab')!.activate();
    const uri = await experiment('tiny', { epochs: 1, stepsPerEpoch: 2 });
    const result = (await vscode.commands.executeCommand('kdUda.startRun', uri)) as { started: boolean; reason?: string };
    assert.equal(result.started, true, result.reason);
    const run = await runOf('tiny', 'done');
    assert.ok(existsSync(path.join(run.dir, 'results.json')), 'results.json written');
    const node = await waitFor(
      'the Runs view to list the run as done',
      async () => (await api.runs.getChildren()).find((candidate) => candidate.kind === 'run' && candidate.run.runId === run.runId && candidate.run.state === 'done'),
      30_000,
    );
    assert.equal(api.runs.getTreeItem(node).description, 'done');
    const models = await api.runs.getChildren(node);
    assert.deepEqual(models.map((child) => (child.kind === 'model' ? child.model.role : child.kind)), ['student'], 'source-only trains the student alone');
    assert.match(String(api.runs.getTreeItem(models[0]).description), /^mean \d+\.\d% · sketches \d+\.\d%$/);

    const exported = (await vscode.commands.executeCommand('kdUda.exportResults', run.dir, 'csv')) as vscode.TextDocument;
    assert.match(exported.getText(), /^model,sketches,mean\nstudent,\d+\.\d,\d+\.\d\n$/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('queues a run beyond kdUda.maxConcurrentRuns and starts it when a slot frees', async () => {
    const config = vscode.workspace.getConfiguration('kdUda');
    await config.update('maxConcurrentRuns', 1, vscode.ConfigurationTarget.Workspace);
    try {
      const first = (await vscode.commands.executeCommand('kdUda.startRun', await experiment('first', { epochs: 50, stepsPerEpoch: 50 }))) as { started: boolean };
      assert.equal(first.started, true);
      const second = (await vscode.commands.executeCommand('kdUda.startRun', await experiment('second', { epochs: 1, stepsPerEpoch: 2 }))) as { started: boolean; queued?: number };
      assert.deepEqual(second, { started: false, queued: 1 });
      await runOf('first', 'running');
      assert.equal((await listRuns(runsDir)).some((run) => run.runId.endsWith('-second')), false, 'the queued run has not started');
      await vscode.commands.executeCommand('kdUda.stopRun');
      await runOf('first', 'stopped');
      await runOf('second', 'done');
    } finally {
      await config.update('maxConcurrentRuns', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('stops a running run: it checkpoints, is marked stopped, and no process is left', async () => {
    const uri = await experiment('long', { epochs: 50, stepsPerEpoch: 50 });
    const result = (await vscode.commands.executeCommand('kdUda.startRun', uri)) as { started: boolean; pid?: number; reason?: string };
    assert.equal(result.started, true, result.reason);
    const run = await runOf('long', 'running');
    await waitFor('a first training step', async () => ((await readFile(path.join(run.dir, 'events.jsonl'), 'utf8').catch(() => '')).includes('"kind":"step"') ? true : undefined), 60_000);
    const stopped = (await vscode.commands.executeCommand('kdUda.stopRun')) as { stopped: number };
    assert.equal(stopped.stopped, 1);
    await runOf('long', 'stopped');
    assert.ok(existsSync(path.join(run.dir, 'checkpoints', 'latest.json')), 'a checkpoint was written on stop');
    assert.equal(alive(result.pid!), false, 'the trainer process has exited');

    const resumed = (await vscode.commands.executeCommand('kdUda.resumeRun', run.dir)) as { started: boolean; reason?: string };
    assert.equal(resumed.started, true, resumed.reason);
    await waitFor('the run to resume', async () => ((await readFile(path.join(run.dir, 'events.jsonl'), 'utf8')).includes('"kind":"resume"') ? true : undefined), 60_000);
    await runOf('long', 'running');
    assert.equal(((await vscode.commands.executeCommand('kdUda.stopRun')) as { stopped: number }).stopped, 1);
    await runOf('long', 'stopped');

    const log = (await vscode.commands.executeCommand('kdUda.showTrainerLog', run.dir)) as vscode.TextEditor;
    assert.ok(log.document.uri.fsPath.endsWith(path.join(path.basename(run.dir), 'trainer.log')));
    assert.match(log.document.getText(), /run folder: /);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
