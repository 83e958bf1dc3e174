import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { ResultsPanel } from '../../src/host/panels/resultsPanel';
import type { HostToResultsPanel } from '../../src/protocol/resultsMessages';
import { tinyExperiment, writeRunFolder } from '../fixtures/experiments';
import { runResults } from '../fixtures/runFolderFiles';
import { poll } from '../harness/poll';
import { fakeContext, FakePanel, recordingOutput } from './fakePanel';

const EXTENSION_ID = 'kd-uda-lab.kd-uda-lab';

/**
 * A distillation run with no source-only run of its student on the same data: its Results panel
 * says so, and its offer (the webview's `startSourceOnlyBaseline`) runs the extension's own
 * KD-UDA: Start Source-Only Baseline of Run, which writes the baseline experiment and starts it.
 */
describe('Results panel: the source-only baseline offer', function () {
  this.timeout(120_000);
  let workspace: string;
  let runsDir: string;
  let runDir: string;
  const made: string[] = [];

  before(async function () {
    if (process.env.KDUDA_TEST_TRUST === 'untrusted') this.skip();
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    runsDir = path.join(workspace, 'runs');
    runDir = path.join(runsDir, '20260101-000000-offer');
    made.push(runDir, path.join(workspace, 'offer-source-only.kdexp.json'));
    await writeRunFolder(runDir, {
      'experiment.json': tinyExperiment({
        name: 'offer',
        data: { root: path.join(workspace, 'digits'), source: 'mnist', targets: ['mnist-photo'], split: { kind: 'all' } },
      }),
      'status.json': { version: 1, state: 'done' },
      'results.json': runResults({ method: 'kd-stda', targets: ['mnist-photo'], headline: { epoch: 1, accuracy: { student: { 'mnist-photo': 0.5 } } } }),
    });
  });

  after(async () => {
    for (const dir of made) await rm(dir, { recursive: true, force: true });
  });

  it('says there is no baseline, and its button starts a source-only run of the same student on the same data', async () => {
    const before = new Set(existsSync(runsDir) ? await readdir(runsDir) : []);
    const fake = new FakePanel();
    await ResultsPanel.serializer({ context: fakeContext(), output: recordingOutput().output }).deserializeWebviewPanel(fake.panel, { runDir });
    fake.send({ type: 'ready' });
    await poll('a snapshot that says the run lacks a source-only baseline', () =>
      (fake.posted as HostToResultsPanel[]).some((message) => message.type === 'snapshot' && message.state.missingSourceOnlyBaseline === true),
    );

    fake.send({ type: 'startSourceOnlyBaseline' });
    const baselineRun = await poll(
      'the baseline’s run folder',
      async () => (await readdir(runsDir)).find((name) => !before.has(name) && existsSync(path.join(runsDir, name, 'experiment.json'))),
      60_000,
    );
    made.push(path.join(runsDir, baselineRun));
    const experiment = JSON.parse(await readFile(path.join(runsDir, baselineRun, 'experiment.json'), 'utf8')) as {
      name: string;
      data: { root: string; source: string; targets: string[] };
      method: { name: string; model: string };
      student: { architecture: string };
    };
    assert.deepEqual([experiment.method.name, experiment.method.model], ['source-only', 'student']);
    assert.equal(experiment.name, 'offer-source-only');
    assert.deepEqual([experiment.data.source, experiment.data.targets, experiment.student.architecture], ['mnist', ['mnist-photo'], 'lenet5']);
    assert.ok(existsSync(path.join(workspace, 'offer-source-only.kdexp.json')), 'the baseline is an experiment file in the workspace, to read and rerun');
    // Let the tiny baseline finish, so that nothing of it outlives the test.
    await poll(
      'the baseline run to end',
      async () => {
        const status = await readFile(path.join(runsDir, baselineRun, 'status.json'), 'utf8').catch(() => '');
        return /"state":\s*"(done|failed)"/.test(status);
      },
      90_000,
    );
    fake.dispose();
  });
});
