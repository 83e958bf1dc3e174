import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { KdUdaApi } from '../../src/extension';
import { listRuns } from '../../src/runFolder/listRuns';
import { writeExperiment } from '../fixtures/experiments';
import { createImageTree } from '../fixtures/imageTree';
import { poll } from '../harness/poll';

/** The text of the run's output channel, as VS Code holds it once the channel is shown. */
function outputText(label: string): string | undefined {
  return vscode.workspace.textDocuments
    .find((document) => document.uri.scheme === 'output' && decodeURIComponent(document.uri.toString()).includes(label))
    ?.getText();
}

describe('Runs: progress inside an epoch', function () {
  this.timeout(150_000);
  let workspace: string;
  let dataset: string;
  let runsDir: string;
  let experimentFile: string | undefined;

  before(async function () {
    if (process.env.KDUDA_TEST_TRUST === 'untrusted') this.skip();
    workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    runsDir = path.join(workspace, 'runs');
    dataset = path.join(await mkdtemp(path.join(os.tmpdir(), 'kd-uda-it-progress-')), 'data');
    await createImageTree(dataset, { photos: { cat: 6, dog: 6 }, sketches: { cat: 6, dog: 6 } }, { size: 16 });
  });

  after(async () => {
    if (experimentFile) await rm(experimentFile, { force: true });
    if (runsDir) await rm(runsDir, { recursive: true, force: true });
    if (dataset) await rm(path.dirname(dataset), { recursive: true, force: true });
  });

  it('shows step n/N, the running loss and an ETA in the one status-bar item and the output channel before the first epoch ends', async () => {
    const api = await vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab')!.activate();
    experimentFile = await writeExperiment(workspace, 'stepwise', {
      name: 'stepwise',
      data: { root: dataset, source: 'photos', targets: ['sketches'], imageSize: 16, channels: 3, split: { kind: 'all' } },
      student: { architecture: 'lenet5' },
      method: { name: 'source-only' },
      batchSize: 4,
      backend: 'wasm',
      // An epoch far longer than the test: everything it sees comes from inside the first one.
      epochs: 2,
      stepsPerEpoch: 5000,
    });
    const result = await vscode.commands.executeCommand<{ started: boolean; reason?: string }>('kdUda.startRun', vscode.Uri.file(experimentFile));
    assert.equal(result.started, true, result.reason);
    try {
      const shown = await poll(
        'the status bar to show the step, the running loss and an ETA',
        () => {
          const status = api.activeRuns.statusBarShown();
          return status && /· ETA/.test(status.text) ? status : undefined;
        },
        90_000,
      );
      assert.match(shown.text, /^\$\(sync~spin\) stepwise: ep 1\/2 · step \d+\/5000 · loss \d+\.\d+ · ETA ≥(\d+:)?\d+:\d\d$/);
      const step = Number(/step (\d+)\//.exec(shown.text)![1]);
      assert.ok(step >= 4, `an ETA only after several steps were timed (shown at step ${step})`);
      assert.match(
        shown.tooltip,
        /^stepwise\nEpoch 1 of 2, step \d+ of 5000: training\.\nLoss \d+\.\d+ \(the terms summed, mean of the last \d+ steps\): student\.ce /,
      );
      assert.match(shown.tooltip, /No evaluation timed yet: the ETAs leave it out, so they are lower bounds\./);

      const [run] = api.activeRuns.list();
      run.output.show(true);
      const output = await poll('progress lines in the run’s output channel', () => {
        const text = outputText('KD-UDA run: stepwise');
        return text && /\[progress\] ep 1\/2 · step \d+\/5000 · loss \d/.test(text) ? text : undefined;
      });
      const lines = output.split('\n').filter((line) => line.startsWith('[progress]'));
      const steps = Number(/step (\d+)\//.exec(api.activeRuns.statusBarShown()!.text)?.[1] ?? 0);
      assert.ok(lines.length < steps / 2, `a progress line now and then, not one a step (${lines.length} lines by step ${steps})`);

      const events = await readFile(path.join(run.runDir!, 'events.jsonl'), 'utf8');
      assert.doesNotMatch(events, /"kind":"(eval|epoch)"/, 'all of this came before the first epoch ended');
      assert.match(events, /"kind":"step","epoch":1,"step":1,"steps":5000,"epochs":2,/, 'steps say how many epochs the run has');
    } finally {
      await vscode.commands.executeCommand('kdUda.stopRun');
      await poll('the run to stop', async () => (await listRuns(runsDir)).find((run) => run.runId.endsWith('-stepwise') && run.state === 'stopped'), 60_000);
    }
  });
});
