import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { readCheckpointDiffReport } from '../../src/checkpointDiff/readDiffReport';
import { CHECKPOINT_DIFF_VERSION } from '../../src/checkpointDiff/reportFormat';
import { diffReportFile } from '../../src/checkpointDiff/runCheckpoints';
import type { CompareCheckpointsResult } from '../../src/host/commands/compareCheckpoints';
import { tinyExperiment, writeExperiment } from '../fixtures/experiments';
import { readMetaJson } from '../../src/runFolder/readRunFiles';
import { createImageTree } from '../fixtures/imageTree';
import { poll } from '../harness/poll';
import { trainFromTerminal } from './trainFromTerminal';
import { errorNotifications } from './errorNotifications';

const EXTENSION_ID = 'kd-uda-lab.kd-uda-lab';

/** Trains a tiny KD-STDA run with the extension's own trainer bundle, as a terminal user would. */
async function trainTinyRun(root: string): Promise<string> {
  await createImageTree(path.join(root, 'data'), { src: { a: 6, b: 6 }, tgt: { a: 6, b: 6 } });
  const file = await writeExperiment(
    root,
    'tiny',
    tinyExperiment({ name: 'tiny', data: { root: 'data', source: 'src', targets: ['tgt'], split: { kind: 'all' } } }),
  );
  const runsDir = path.join(root, 'runs');
  await trainFromTerminal(file, runsDir);
  return path.join(runsDir, (await readdir(runsDir))[0]);
}

function openTabLabels(): string[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs.map((tab) => tab.label));
}

describe('Compare Checkpoints', function () {
  this.timeout(120_000);
  let root: string;
  let runDir: string;
  let student: string;
  let teacher: string;

  before(async function () {
    if (process.env.KDUDA_TEST_TRUST === 'untrusted') this.skip();
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-compare-'));
    runDir = await trainTinyRun(root);
    student = path.join(runDir, 'checkpoints', 'student', 'epoch-1');
    teacher = path.join(runDir, 'checkpoints', 'teacher', 'epoch-1');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('runs the trainer’s diff in a child process, opens the panel on its report, and reuses the report next time', async () => {
    const first = await vscode.commands.executeCommand<CompareCheckpointsResult>('kdUda.compareCheckpoints', runDir, { a: student, b: teacher });
    const reportFile = diffReportFile(runDir, student, teacher);
    assert.deepEqual(first, { opened: true, reportFile, computed: true });
    const report = await readCheckpointDiffReport(reportFile);
    assert.deepEqual(
      report.domains.map((domain) => domain.name),
      ['tgt', 'source-holdout'],
    );
    await poll('the Checkpoint Diff panel', () => openTabLabels().includes('Diff: student-epoch-1 ↔ teacher-epoch-1'));

    const second = await vscode.commands.executeCommand<CompareCheckpointsResult>('kdUda.compareCheckpoints', runDir, { a: student, b: teacher });
    assert.deepEqual(second, { opened: true, reportFile, computed: false }, 'a report newer than both checkpoints is opened as it is');
  });

  it('computes a report written before the representation figures again, rather than reuse it', async () => {
    const reportFile = diffReportFile(runDir, student, teacher);
    const { representations: _figures, ...older } = await readCheckpointDiffReport(reportFile);
    await writeFile(reportFile, JSON.stringify({ ...older, version: 1 }));
    const result = await vscode.commands.executeCommand<CompareCheckpointsResult>('kdUda.compareCheckpoints', runDir, { a: student, b: teacher });
    assert.deepEqual(result, { opened: true, reportFile, computed: true });
    assert.equal((await readCheckpointDiffReport(reportFile)).version, CHECKPOINT_DIFF_VERSION, 'the report was written again');
  });

  it('refuses checkpoints with different class sets, naming them, and opens nothing', async () => {
    const other = path.join(root, 'three-classes');
    await cp(teacher, other, { recursive: true });
    const meta = await readMetaJson(other);
    await writeFile(path.join(other, 'meta.json'), JSON.stringify({ ...meta, classNames: ['a', 'b', 'c'] }));
    let result: CompareCheckpointsResult | undefined;
    const shown = await errorNotifications(async () => {
      result = await vscode.commands.executeCommand<CompareCheckpointsResult>('kdUda.compareCheckpoints', runDir, { a: student, b: other });
    });
    assert.equal(result?.opened, false);
    const expected = `cannot compare ${student} (A) and ${other} (B): their class sets differ (only B has c). A: a, b. B: a, b, c.`;
    assert.equal(result?.opened === false && result.reason, expected);
    assert.deepEqual(shown, [`KD-UDA: ${expected}`]);
    assert.equal(existsSync(diffReportFile(runDir, student, other)), false);
  });
});
