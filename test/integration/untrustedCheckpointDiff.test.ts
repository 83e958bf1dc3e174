import * as assert from 'node:assert/strict';
import childProcess from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { readCheckpointDiffReport } from '../../src/checkpointDiff/readDiffReport';
import { reportSide, sampleDiffReport } from '../fixtures/checkpointDiffReport';
import { checkpointMeta } from '../fixtures/runFolderFiles';
import { diffReportFile } from '../../src/checkpointDiff/runCheckpoints';
import type { CompareCheckpointsResult } from '../../src/host/commands/compareCheckpoints';
import { poll } from '../harness/poll';

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
      await writeFile(
        path.join(checkpoint(role), 'meta.json'),
        JSON.stringify(checkpointMeta({ role, architecture: 'lenet5', epoch: 1, stepInEpoch: 2, globalStep: 2 })),
      );
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
    const result = await vscode.commands.executeCommand<CompareCheckpointsResult>('kdUda.compareCheckpoints', runDir, {
      a: checkpoint('student'),
      b: checkpoint('teacher'),
    });
    assert.equal(result.opened, false);
    assert.match(result.opened === false ? result.reason : '', /Comparing checkpoints needs a trusted workspace/);
    assert.deepEqual(trainerSpawns, []);
  });

  it('opens a report already in the run folder, without spawning anything', async () => {
    trainerSpawns = [];
    const report = sampleDiffReport(reportSide('student', checkpoint('student')), reportSide('teacher', checkpoint('teacher')), 'mnist-photo');
    const reportFile = diffReportFile(runDir, checkpoint('student'), checkpoint('teacher'));
    await mkdir(path.dirname(reportFile), { recursive: true });
    await writeFile(reportFile, JSON.stringify(report));
    const result = await vscode.commands.executeCommand<CompareCheckpointsResult>('kdUda.compareCheckpoints', runDir, {
      a: checkpoint('student'),
      b: checkpoint('teacher'),
    });
    assert.deepEqual(result, { opened: true, reportFile, computed: false });
    await poll('the Checkpoint Diff panel', () =>
      vscode.window.tabGroups.all.some((group) => group.tabs.some((tab) => tab.label === 'Diff: student-epoch-1 ↔ teacher-epoch-1')),
    );
    assert.deepEqual(trainerSpawns, []);
  });

  it('does not open a report found under the name that compares another pair', async () => {
    trainerSpawns = [];
    const reportFile = diffReportFile(runDir, checkpoint('student'), checkpoint('teacher'));
    const report = await readCheckpointDiffReport(reportFile);
    // Newer than both checkpoints, but of a teacher elsewhere (a copied run folder, an older name).
    await writeFile(reportFile, JSON.stringify({ ...report, b: { ...report.b, dir: path.join(root, 'elsewhere', 'teacher', 'epoch-1') } }));
    const result = await vscode.commands.executeCommand<CompareCheckpointsResult>('kdUda.compareCheckpoints', runDir, {
      a: checkpoint('student'),
      b: checkpoint('teacher'),
    });
    assert.equal(result.opened, false, 'not shown as this pair’s diff');
    assert.match(result.opened === false ? result.reason : '', /Comparing checkpoints needs a trusted workspace/);
    assert.deepEqual(trainerSpawns, []);
  });
});
