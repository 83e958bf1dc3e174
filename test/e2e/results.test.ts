/**
 * End to end: from the palette, start a tiny training run on a generated dataset, open its results
 * panel while it trains, and watch the table fill and the curves grow until the run is done.
 * Screenshots go to test-results/e2e-results-*.png.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { tinyShapesWorkspace, writeRunFolder } from '../fixtures/experiments';
import { runCommand, screenshot, webviewFrame, editorTab, pickQuickPickItem, type HasAttributes } from '../harness/browser';
import { poll } from '../harness/poll';
import { openDevWorkbench, type DevWorkbench } from '../harness/devWorkbench';
import { readResultsJson } from '../../src/runFolder/readRunFiles';
import { runResults } from '../fixtures/runFolderFiles';

const SHOT = 'e2e-results';

describe('Results panel (code-server + Chromium)', { timeout: 240_000 }, () => {
  let workbench: DevWorkbench;
  let page: Page;

  before(async () => {
    workbench = await openDevWorkbench({
      workspace: tinyShapesWorkspace({ epochs: 3, stepsPerEpoch: 4 }),
      // A file the scanner counts and the decoder cannot read: the panel says the run left it out.
      prepare: (workspace) => writeFile(path.join(workspace.root, 'shapes', 'sketches', 'cat', 'not-an-image.png'), 'not a png at all'),
    });
    page = workbench.page;
  });

  after(() => workbench?.dispose());

  it('starts a run from the palette, and the results table and curves follow it to the end', async () => {
    try {
      await runCommand(page, 'KD-UDA: Start Run');
      const runsDir = path.join(workbench.workspace.root, 'runs');
      const runDir = await poll(
        'the run folder',
        async () => (existsSync(runsDir) ? (await readdir(runsDir)).map((name) => path.join(runsDir, name))[0] : undefined),
        60_000,
      );

      // A finished source-only run on the same data, as an earlier run of the user's would be: the
      // panel lists it among the baselines.
      await writeRunFolder(path.join(runsDir, '20200101-000000-source-only-baseline'), {
        'experiment.json': {
          data: {
            root: path.join(workbench.workspace.root, 'shapes'),
            layout: 'auto',
            source: 'photos',
            targets: ['sketches'],
            imageSize: 16,
            channels: 3,
            split: { kind: 'all' },
          },
          method: { name: 'source-only', model: 'student' },
        },
        'status.json': { version: 1, state: 'done' },
        'results.json': runResults({
          method: 'source-only',
          targets: ['sketches'],
          headline: { epoch: 3, accuracy: { student: { sketches: 0.375 } }, meanTarget: { student: 0.375 } },
        }),
      });

      // Two runs in the folder: Open Results asks which.
      await runCommand(page, 'KD-UDA: Open Results');
      await pickQuickPickItem(page, new RegExp(path.basename(runDir)), 30_000);
      await editorTab(page, `Results: ${path.basename(runDir)}`).waitFor({ state: 'visible', timeout: 20_000 });
      const frame = webviewFrame(page);

      await poll(
        'the table to show the student and the teacher on the target',
        async () =>
          (await frame.locator('#results-table td[data-role="student"][data-target="sketches"]').count()) > 0 &&
          (await frame.locator('#results-table td[data-role="teacher"][data-target="sketches"]').count()) > 0,
        120_000,
      );
      await screenshot(page, `${SHOT}-01-table-during-the-run`);
      await poll(
        'the run to finish at epoch 3 of 3',
        async () =>
          (await frame.locator('#run-state').textContent()) === 'done' &&
          ((await frame.locator('header .subtitle').textContent()) ?? '').includes('epoch 3 of 3'),
        150_000,
      );

      // A tiny run may well be at chance: its marker follows the figure.
      const student = ((await frame.locator('#results-table td[data-role="student"][data-target="sketches"]').textContent()) ?? '')
        .replace('≈ chance', '')
        .trim();
      assert.match(student, /^\d+\.\d%$/);
      const results = await readResultsJson(runDir);
      assert.equal(student, `${(100 * results.headline.accuracy.student.sketches).toFixed(1)}%`, 'the table shows the run’s headline (last epoch) accuracy');
      assert.equal(
        ((await frame.locator('#results-table td[data-baseline="student, source only"][data-target="sketches"]').textContent()) ?? '').trim(),
        '37.5%',
        'the source-only run is a baseline row',
      );
      assert.equal(
        await frame.locator('#skipped-images').textContent(),
        `1 image was left out because it could not be decoded: ${path.join(workbench.workspace.root, 'shapes', 'sketches', 'cat', 'not-an-image.png')}`,
      );
      assert.equal(await frame.locator('#accuracy-chart path.curve').count(), 2, 'the accuracy curves of the teacher and the student are drawn');
      assert.deepEqual(
        await frame.locator('figure[id^="loss-chart-"]').evaluateAll((figures: HasAttributes[]) => figures.map((figure) => figure.getAttribute('id'))),
        ['loss-chart-teacher', 'loss-chart-student'],
        'a loss chart per model is drawn',
      );
      await screenshot(page, `${SHOT}-02-done`);
      const violations = workbench.browser.consoleLines.filter((line) => /Content Security Policy|Refused to (load|execute|apply)/i.test(line));
      assert.deepEqual(violations, [], 'the panel loads nothing that its CSP refuses');
    } catch (error) {
      await screenshot(page, `${SHOT}-FAILED`).catch(() => undefined);
      console.error(workbench.server.logTail(30));
      throw error;
    }
  });
});
