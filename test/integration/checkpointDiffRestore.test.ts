import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { reportSide, sampleDiffReport } from '../fixtures/checkpointDiffReport';
import { CheckpointDiffPanel } from '../../src/host/panels/checkpointDiffPanel';
import { poll } from '../harness/poll';
import { fakeContext, FakePanel, recordingOutput } from './fakePanel';

/**
 * A Checkpoint Diff panel restored after a reload names its report in state its webview saved,
 * which the host must not trust: it reads only a report in a run folder's diffs/, never sends the
 * webview text that could quote another file, and opens only its own report.
 */
describe('restoring the Checkpoint Diff panel', function () {
  this.timeout(30_000);
  let root: string;
  let runDir: string;
  const originalShowTextDocument = vscode.window.showTextDocument;
  let opened: string[] = [];

  const side = (role: string) => reportSide(role, path.join(runDir, 'checkpoints', role, 'epoch-1'));

  /** Restores a panel from `state` as VS Code would after a reload. */
  async function restore(state: unknown) {
    const { output, lines } = recordingOutput();
    const fake = new FakePanel();
    await CheckpointDiffPanel.serializer({ context: fakeContext(), output }).deserializeWebviewPanel(fake.panel, state);
    return { fake, lines };
  }

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-diff-restore-'));
    runDir = path.join(root, 'runs', '20260101-000000-tiny');
    await mkdir(path.join(runDir, 'diffs'), { recursive: true });
    await writeFile(path.join(runDir, 'status.json'), JSON.stringify({ version: 1, state: 'done' }));
    vscode.window.showTextDocument = ((document: vscode.Uri) => {
      opened.push(document.fsPath);
      return Promise.resolve(undefined);
    }) as unknown as typeof vscode.window.showTextDocument;
  });

  after(async () => {
    vscode.window.showTextDocument = originalShowTextDocument;
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('refuses a saved path that is not a diff report, reading nothing', async () => {
    for (const reportFile of ['/etc/passwd', path.join(root, 'secret.json')]) {
      const { fake, lines } = await restore({ reportFile });
      assert.equal(fake.disposed, true, reportFile);
      assert.deepEqual(fake.posted, []);
      assert.match(lines.join('\n'), /Checkpoint diff panel not restored: its saved state is not understood/);
    }
  });

  it('refuses a diffs/ folder that is not in a run folder (no status.json)', async () => {
    const elsewhere = path.join(root, 'home', 'diffs', 'notes.json');
    await mkdir(path.dirname(elsewhere), { recursive: true });
    await writeFile(elsewhere, '{}');
    const { fake, lines } = await restore({ reportFile: elsewhere });
    fake.send({ type: 'ready' });
    assert.equal(fake.disposed, true);
    assert.deepEqual(fake.posted, []);
    assert.deepEqual(lines, [
      `warn Checkpoint diff panel not restored: ${elsewhere} is not in a run folder's diffs/ (${path.join(root, 'home')} has no status.json)`,
    ]);
  });

  it('tells the webview only that an unreadable report is not valid, and does not open it', async () => {
    const reportFile = path.join(runDir, 'diffs', 'shadow.json');
    await writeFile(reportFile, 'root:x:0:0:root:/root:/bin/bash\n');
    opened = [];
    const { fake, lines } = await restore({ reportFile });
    assert.equal(fake.disposed, false);
    fake.send({ type: 'ready' });
    await poll('the error message', () => fake.posted.length > 0);
    assert.deepEqual(fake.posted, [{ type: 'error', reportFile, message: 'cannot read the report shadow.json: not a valid report' }]);
    assert.doesNotMatch(JSON.stringify(fake.posted), /root:x/);
    assert.match(lines.join('\n'), /cannot read the diff report .*shadow\.json: .*JSON/, 'the detail goes to the log');
    fake.send({ type: 'openReport' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(opened, [], 'a file that is not a valid report is not opened');
    fake.dispose();
  });

  it('shows a valid report in a run folder and opens that file, whatever the message says', async () => {
    const reportFile = path.join(runDir, 'diffs', 'student-epoch-1--teacher-epoch-1.0123456789.json');
    const report = sampleDiffReport(side('student'), side('teacher'));
    await writeFile(reportFile, JSON.stringify(report));
    opened = [];
    const { fake } = await restore({ reportFile, tab: 'classes' });
    fake.send({ type: 'ready' });
    await poll('the snapshot', () => fake.posted.length > 0);
    assert.deepEqual(fake.posted, [{ type: 'snapshot', reportFile, report }]);
    fake.send({ type: 'openReport', file: '/etc/passwd' });
    fake.send({ type: 'openReport' });
    await poll('the report opened', () => opened.length > 0);
    assert.deepEqual(opened, [reportFile]);
    fake.dispose();
  });
});
