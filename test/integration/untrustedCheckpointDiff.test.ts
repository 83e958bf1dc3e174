import * as assert from 'node:assert/strict';
import childProcess from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { CHECKPOINT_DIFF_VERSION, type CheckpointDiffReport, type CheckpointSide } from '../../src/diff/reportFormat';
import { diffReportFile } from '../../src/diff/runCheckpoints';
import type { CompareCheckpointsResult } from '../../src/host/commands/compareCheckpoints';
import { waitFor } from './waitFor';

/**
 * Runs only in the harness's untrusted mode (`runIntegration --untrusted`): an existing diff report
 * can be browsed, but nothing is ever evaluated (no trainer process).
 */
describe('Compare Checkpoints in an untrusted workspace', function () {
  this.timeout(60_000);
  const originalSpawn = childProcess.spawn;
  let trainerSpawns: unknown[][] = [];
  let root: string;
  let runDir: string;
  const checkpoint = (role: string) => path.join(runDir, 'checkpoints', role, 'epoch-1');

  before(async function () {
    if (process.env.KDUDA_TEST_TRUST !== 'untrusted') this.skip();
    childProcess.spawn = ((...args: unknown[]) => {
      if (JSON.stringify(args).includes('trainer.js')) trainerSpawns.push(args);
      return (originalSpawn as (...a: unknown[]) => childProcess.ChildProcess)(...args);
    }) as typeof childProcess.spawn;
    root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-untrusted-diff-'));
    runDir = path.join(root, 'runs', '20260101-000000-tiny');
    for (const role of ['student', 'teacher']) {
      await mkdir(checkpoint(role), { recursive: true });
      await writeFile(path.join(checkpoint(role), 'meta.json'), JSON.stringify({ version: 1, role, architecture: 'lenet5', epoch: 1, globalStep: 2 }));
      await writeFile(path.join(checkpoint(role), 'model.json'), '{}');
      await writeFile(path.join(checkpoint(role), 'weights.bin'), '');
    }
  });

  after(async () => {
    childProcess.spawn = originalSpawn;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('refuses to evaluate: says why and spawns nothing', async () => {
    trainerSpawns = [];
    const result = (await vscode.commands.executeCommand('kdUda.compareCheckpoints', runDir, { a: checkpoint('student'), b: checkpoint('teacher') })) as CompareCheckpointsResult;
    assert.equal(result.opened, false);
    assert.match(result.opened === false ? result.reason : '', /Comparing checkpoints needs a trusted workspace/);
    assert.deepEqual(trainerSpawns, []);
  });

  it('opens a report already in the run folder, without spawning anything', async () => {
    trainerSpawns = [];
    const side = (role: string): CheckpointSide => ({
      dir: checkpoint(role),
      label: `${role} epoch-1`,
      role,
      architecture: 'lenet5',
      epoch: 1,
      stepInEpoch: 2,
      inputShape: [16, 16, 3],
      layers: [{ name: 'conv1', className: 'Conv2D', outputShape: [16, 16, 6], params: 456 }],
      cost: { parameters: 456, macsPerImage: 1000, checkpointBytes: 2000, latencyMsPerBatch: 1, latencyBatchSize: 32, backend: 'wasm' },
    });
    const report: CheckpointDiffReport = {
      version: CHECKPOINT_DIFF_VERSION,
      createdAt: new Date().toISOString(),
      backend: 'wasm',
      classNames: ['0', '1'],
      data: { root: '/data', source: 'mnist', targets: ['mnist-photo'], split: { kind: 'all' } },
      a: side('student'),
      b: side('teacher'),
      architecture: { same: true },
      domains: [{ name: 'mnist-photo', kind: 'target', images: 2, a: { accuracy: 1, perClass: [1, 1], confusion: [[1, 0], [0, 1]] }, b: { accuracy: 0.5, perClass: [1, 0], confusion: [[1, 0], [1, 0]] }, accuracyDelta: 0.5, agreement: 0.5, klAB: 0.1, klBA: 0.2 }],
      weights: [{ layer: 'conv1', params: 456, relativeL2: 0.1, cosine: 0.99 }],
    };
    const reportFile = diffReportFile(runDir, checkpoint('student'), checkpoint('teacher'));
    await mkdir(path.dirname(reportFile), { recursive: true });
    await writeFile(reportFile, JSON.stringify(report));
    const result = (await vscode.commands.executeCommand('kdUda.compareCheckpoints', runDir, { a: checkpoint('student'), b: checkpoint('teacher') })) as CompareCheckpointsResult;
    assert.deepEqual(result, { opened: true, reportFile, computed: false });
    await waitFor('the Checkpoint Diff panel', () => vscode.window.tabGroups.all.some((group) => group.tabs.some((tab) => tab.label === 'Diff: student-epoch-1 ↔ teacher-epoch-1')));
    assert.deepEqual(trainerSpawns, []);
  });

  it('does not open a report found under the name that compares another pair', async () => {
    trainerSpawns = [];
    const reportFile = diffReportFile(runDir, checkpoint('student'), checkpoint('teacher'));
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as CheckpointDiffReport;
    // Newer than both checkpoints, but of a teacher elsewhere (a copied run folder, an older name).
    await writeFile(reportFile, JSON.stringify({ ...report, b: { ...report.b, dir: path.join(root, 'elsewhere', 'teacher', 'epoch-1') } }));
    const result = (await vscode.commands.executeCommand('kdUda.compareCheckpoints', runDir, { a: checkpoint('student'), b: checkpoint('teacher') })) as CompareCheckpointsResult;
    assert.equal(result.opened, false, 'not shown as this pair’s diff');
    assert.match(result.opened === false ? result.reason : '', /Comparing checkpoints needs a trusted workspace/);
    assert.deepEqual(trainerSpawns, []);
  });
});
