/**
 * End to end: the Results panel shows its numbers with their uncertainty, read back from the DOM:
 * each accuracy column's test images (n), the source hold-out, a "≈ chance" marker on a model no
 * better than guessing, the latency's spread, batch count and "noisy" marker, and, with no
 * source-only run on the same data, the offer to start one, whose button starts it.
 * Screenshots go to test-results/e2e-results-numbers-*.png.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { tinyExperiment, writeRunFolder } from '../fixtures/experiments';
import { epochEvent, evalEvent, eventLines, modelCost, runResults } from '../fixtures/runFolderFiles';
import { editorTab, pickQuickPickItem, runCommand, screenshot, webviewFrame } from '../harness/browser';
import { poll } from '../harness/poll';
import { openDevWorkbench, type DevWorkbench } from '../harness/devWorkbench';

const SHOT = 'e2e-results-numbers';
const RUN_ID = '20260101-000000-tiny';

describe('Results panel: numbers with their uncertainty (code-server + Chromium)', { timeout: 240_000 }, () => {
  let workbench: DevWorkbench;
  let page: Page;

  before(async () => {
    workbench = await openDevWorkbench({
      workspace: { datasetName: 'shapes', spec: { photos: { cat: 6, dog: 6 }, sketches: { cat: 6, dog: 6 } } },
      prepare: async (workspace) => {
        // A finished KD-STDA run on two classes and 12 test images per domain, and no source-only run beside it.
        const accuracy = { teacher: { sketches: 11 / 12, 'source-holdout': 1 }, student: { sketches: 0.5, 'source-holdout': 0.75 } };
        await writeRunFolder(path.join(workspace.root, 'runs', RUN_ID), {
          'experiment.json': tinyExperiment({
            name: 'tiny',
            data: { root: path.join(workspace.root, 'shapes'), source: 'photos', targets: ['sketches'], split: { kind: 'all' } },
          }),
          'status.json': { version: 1, state: 'done' },
          'events.jsonl': eventLines([evalEvent(1, accuracy), epochEvent(1, 1)]),
          'results.json': runResults({
            method: 'kd-stda',
            classNames: ['cat', 'dog'],
            targets: ['sketches'],
            headline: { epoch: 1, accuracy },
            testImages: { sketches: 12, 'source-holdout': 12 },
            costs: {
              teacher: modelCost(1000, 2000, { latencyMsPerBatch: 40, latencySpread: { q1Ms: 31, q3Ms: 64, batches: 20, noisy: true } }),
              student: modelCost(100, 200, { latencyMsPerBatch: 12.3, latencySpread: { q1Ms: 11.8, q3Ms: 12.9, batches: 40, noisy: false } }),
            },
          }),
        });
      },
    });
    page = workbench.page;
  });

  after(() => workbench?.dispose());

  it('shows n, the source hold-out, the chance marker, the latency spread and the baseline offer, whose button starts the baseline', async () => {
    try {
      await runCommand(page, 'KD-UDA: Open Results', 60_000, true);
      await pickQuickPickItem(page, new RegExp(RUN_ID), 30_000);
      await editorTab(page, `Results: ${RUN_ID}`).waitFor({ state: 'visible', timeout: 30_000 });
      const frame = webviewFrame(page);
      const text = async (selector: string) => ((await frame.locator(selector).first().textContent()) ?? '').trim();
      await poll('the table', async () => (await frame.locator('#results-table td[data-role="student"][data-target="sketches"]').count()) > 0, 60_000);

      const headers = await frame.locator('#results-table thead th').allTextContents();
      assert.ok(headers.includes('sketches (n=12)'), `a target's header gives its test images: ${headers.join(' | ')}`);
      assert.ok(headers.includes('Source hold-out (n=12)'), `the source hold-out is a column beside the targets: ${headers.join(' | ')}`);
      assert.match(
        (await frame.locator('#results-table thead th[data-images="12"]').first().getAttribute('title')) ?? '',
        /12 test images: one image moves an accuracy by 8\.3 points/,
      );
      assert.equal(await text('#results-table td[data-role="teacher"][data-holdout]'), '100.0%');

      assert.equal(await text('#results-table td[data-role="teacher"][data-target="sketches"]'), '91.7%', 'the teacher is clearly above chance: no marker');
      assert.equal(await text('#results-table td[data-role="student"][data-target="sketches"]'), '50.0% ≈ chance');
      assert.match(
        (await frame.locator('#results-table td[data-role="student"][data-target="sketches"] .chance-marker').getAttribute('title')) ?? '',
        /2 classes make guessing 50\.0%; on 12 images/,
      );

      assert.equal(await text('#results-table td[data-role="student"][data-latency]'), '12.3 ms ± 0.55 (median of 40 batches)');
      assert.match(
        (await frame.locator('#results-table td[data-role="student"][data-latency] .latency').getAttribute('title')) ?? '',
        /middle half took .*\. The spread is within this measurement: another run, timed while the machine was more or less busy, can differ by more than it$/,
      );
      assert.equal(await text('#results-table td[data-role="teacher"][data-latency]'), '40.0 ms ± 16.5 (median of 20 batches) noisy');
      assert.match((await frame.locator('#results-table td[data-role="teacher"] .noisy-marker').getAttribute('title')) ?? '', /^noisy: the middle half/);

      await poll('the offer of a baseline', async () => (await frame.locator('#baseline-offer').count()) > 0, 30_000);
      assert.match(await text('#baseline-offer'), /^No source-only baseline run for this data and student/);
      await screenshot(page, `${SHOT}-01-table`);

      await frame.locator('#baseline-offer vscode-button').click();
      const baselineFile = path.join(workbench.workspace.root, 'tiny-source-only.kdexp.json');
      await poll('the baseline experiment file', () => existsSync(baselineFile), 30_000);
      const runsDir = path.join(workbench.workspace.root, 'runs');
      const baselineRun = await poll(
        'a run folder of the baseline',
        async () => (await readdir(runsDir)).find((name) => name !== RUN_ID && existsSync(path.join(runsDir, name, 'experiment.json'))),
        60_000,
      );
      const experiment = JSON.parse(await readFile(path.join(runsDir, baselineRun, 'experiment.json'), 'utf8')) as { method: { name: string; model: string } };
      assert.deepEqual([experiment.method.name, experiment.method.model], ['source-only', 'student']);
    } catch (error) {
      await screenshot(page, `${SHOT}-FAILED`).catch(() => undefined);
      console.error(workbench.server.logTail(30));
      throw error;
    }
  });
});
