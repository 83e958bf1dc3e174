import * as assert from 'node:assert/strict';
import childProcess from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { KdUdaApi } from '../../src/extension';
import { writeExperiment } from '../fixtures/experiments';
import { poll } from '../harness/poll';

/** Runs only in the harness's untrusted mode (`runIntegration --untrusted`), where trust is never granted. */
describe('Untrusted workspace (Restricted Mode)', function () {
  this.timeout(60_000);
  let trainerSpawns: unknown[][] = [];
  const originalSpawn = childProcess.spawn;

  before(function () {
    if (process.env.KDUDA_TEST_TRUST !== 'untrusted') this.skip();
    // The bundled extension looks spawn up on the shared built-in module at each call.
    childProcess.spawn = ((...args: unknown[]) => {
      if (JSON.stringify(args).includes('trainer.js')) trainerSpawns.push(args);
      return (originalSpawn as (...a: unknown[]) => childProcess.ChildProcess)(...args);
    }) as typeof childProcess.spawn;
  });

  after(() => {
    childProcess.spawn = originalSpawn;
  });

  it('opens untrusted, and datasets can still be browsed', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const api = await vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab')!.activate();
    const description = await poll('the dataset root to be scanned', () => {
      const [root] = api.datasets.tree.getChildren();
      const seen = root ? String(api.datasets.tree.getTreeItem(root).description) : '';
      if (/· \d+ images$/.test(seen)) return seen;
      throw new Error(`its description reads "${seen}"`);
    });
    assert.match(description, /ImageFolder · \d+ domains · \d+ images/);
  });

  it('refuses to create the Digits benchmark, says why, and spawns nothing', async () => {
    trainerSpawns = [];
    const out = path.join(os.tmpdir(), `kd-uda-untrusted-${process.pid}`);
    const result = await vscode.commands.executeCommand<{ created: boolean; reason?: string }>('kdUda.createDigitsBenchmark', { out, size: 10 });
    assert.equal(result.created, false);
    assert.match(result.reason ?? '', /needs a trusted workspace/);
    assert.equal(existsSync(out), false, 'nothing was written');
    assert.deepEqual(trainerSpawns, [], 'no trainer process was started');
  });

  it('refuses Start Run and Resume Run, says why, and spawns nothing', async () => {
    trainerSpawns = [];
    const workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    // A valid experiment, so Start Run gets past validation to the point where it would spawn.
    const file = await writeExperiment(workspace, 'untrusted-start', {
      data: { root: './digits', source: 'mnist', targets: ['mnist-photo'] },
      method: { name: 'source-only' },
    });
    const stoppedRun = path.join(await mkdtemp(path.join(os.tmpdir(), 'kd-uda-untrusted-runs-')), '20260101-000000-stopped');
    const status = JSON.stringify({ version: 1, state: 'stopped' });
    await mkdir(stoppedRun, { recursive: true });
    await writeFile(path.join(stoppedRun, 'status.json'), status);
    try {
      const started = await vscode.commands.executeCommand<{ started: boolean; reason?: string }>('kdUda.startRun', vscode.Uri.file(file));
      assert.equal(started.started, false);
      assert.match(started.reason ?? '', /Starting a training run needs a trusted workspace/);
      assert.equal(existsSync(path.join(workspace, 'runs')), false, 'no run folder was created');

      const resumed = await vscode.commands.executeCommand<{ started: boolean; reason?: string }>('kdUda.resumeRun', stoppedRun);
      assert.equal(resumed.started, false);
      assert.match(resumed.reason ?? '', /Resuming a run needs a trusted workspace/);
      assert.equal(await readFile(path.join(stoppedRun, 'status.json'), 'utf8'), status, 'the run folder is untouched');
      assert.deepEqual(trainerSpawns, [], 'no trainer process was started');
    } finally {
      await rm(file, { force: true });
      await rm(path.dirname(stoppedRun), { recursive: true, force: true });
    }
  });
});
