/**
 * End to end: a run folder whose trainer has taken steps but not yet evaluated (as a long first
 * epoch looks), opened in the Results panel: the panel shows the step, the running loss and an
 * ETA, follows new steps, and drops the line once the run is over. Screenshots go to
 * test-results/e2e-results-progress-*.png.
 */
import assert from 'node:assert/strict';
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { RunEvent } from '../../src/runFolder/runEvents';
import { writeRunFolder } from '../fixtures/experiments';
import { eventLines } from '../fixtures/runFolderFiles';
import { runCommand, screenshot, webviewFrame, editorTab, pickQuickPickItem } from '../harness/browser';
import { poll } from '../harness/poll';
import { openDevWorkbench, type DevWorkbench } from '../harness/devWorkbench';

const SHOT = 'e2e-results-progress';
const RUN_ID = '20261201-100000-stepping';

/** Step events one second apart, the last one `endsAgoMs` before now: a trainer stepping at 1 step/s. */
function steps(first: number, last: number, endsAgoMs: number): RunEvent[] {
  const end = Date.now() - endsAgoMs;
  return Array.from({ length: last - first + 1 }, (_, i) => ({
    t: new Date(end - (last - first - i) * 1000).toISOString(),
    kind: 'step' as const,
    epoch: 1,
    step: first + i,
    steps: 40,
    epochs: 3,
    losses: { 'student.ce': 1.5, 'student.dann': 0.25 },
  }));
}

describe('Results panel: progress inside an epoch (code-server + Chromium)', { timeout: 180_000 }, () => {
  let workbench: DevWorkbench;
  let page: Page;
  let runDir: string;

  before(async () => {
    workbench = await openDevWorkbench({ workspace: { datasetName: 'shapes', spec: { photos: { cat: 2 }, sketches: { cat: 2 } } } });
    page = workbench.page;
  });

  after(() => workbench?.dispose());

  it('shows step n/N, the running loss and an ETA before the first evaluation, follows new steps, and hides once the run is over', async () => {
    try {
      // Written now, not before the workbench loaded: the ETA counts from the last step's time.
      runDir = await writeRunFolder(path.join(workbench.workspace.root, 'runs', RUN_ID), {
        'status.json': { version: 1, state: 'running' },
        'events.jsonl': eventLines(steps(1, 12, 0)),
      });
      await runCommand(page, 'KD-UDA: Open Results');
      await pickQuickPickItem(page, new RegExp(RUN_ID), 30_000);
      await editorTab(page, `Results: ${RUN_ID}`).waitFor({ state: 'visible', timeout: 20_000 });
      const frame = webviewFrame(page);
      const line = frame.locator('#run-progress');
      await line.waitFor({ state: 'visible', timeout: 30_000 });
      // 28 steps of this epoch and 2 epochs of 40 at 1 s a step; no evaluation timed, so a lower bound.
      const text = (await frame.locator('#run-progress-text').textContent()) ?? '';
      const eta = /^epoch 1\/3 · step 12\/40 · loss 1\.75 · ETA ≥(\d+):(\d\d)$/.exec(text);
      assert.ok(eta, text);
      const etaSeconds = Number(eta[1]) * 60 + Number(eta[2]);
      assert.ok(etaSeconds > 0 && etaSeconds <= 108, `${etaSeconds} s: at most the 108 s of steps left, less the time the panel took to open`);
      assert.equal(await frame.locator('#run-progress-bar').getAttribute('aria-label'), 'step 12 of 40');
      assert.equal(Number(await frame.locator('#run-progress-bar').getAttribute('value')), 12 / 40);
      assert.match(
        (await line.getAttribute('title')) ?? '',
        /^Epoch 1 of 3, step 12 of 40: training\.\nLoss 1\.75 .*student\.ce 1\.50, student\.dann 0\.250\./,
      );
      assert.equal(await frame.getByText('Waiting for the first evaluation').count(), 0, 'the progress line replaces the wait');
      await screenshot(page, `${SHOT}-01-stepping`);

      await appendFile(path.join(runDir, 'events.jsonl'), eventLines(steps(13, 13, 0)));
      await poll('the panel to follow the next step', async () => /step 13\/40/.test((await frame.locator('#run-progress-text').textContent()) ?? ''), 30_000);

      // A fast trainer: a step every 100 ms for 8 s, never a quarter second of quiet. The panel follows while it lasts.
      let bursting = true;
      const burst = (async () => {
        for (let epoch = 2; epoch <= 3; epoch++)
          for (let step = 1; step <= 40; step++) {
            const event: RunEvent = { t: new Date().toISOString(), kind: 'step', epoch, step, steps: 40, epochs: 3, losses: { 'student.ce': 1 } };
            await appendFile(path.join(runDir, 'events.jsonl'), eventLines([event]));
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        bursting = false;
      })();
      let followedDuringBurst = false;
      await poll(
        'the panel to show a step of the burst',
        async () => {
          const shown = /epoch [23]\/3 · step \d+\/40/.test((await frame.locator('#run-progress-text').textContent()) ?? '');
          followedDuringBurst = shown && bursting;
          return shown;
        },
        30_000,
      );
      await burst;
      assert.ok(followedDuringBurst, 'the panel showed a step of the burst before the burst ended');

      await writeFile(path.join(runDir, 'status.json'), JSON.stringify({ version: 1, state: 'stopped' }));
      await line.waitFor({ state: 'hidden', timeout: 30_000 });
      await screenshot(page, `${SHOT}-02-stopped`);
      const violations = workbench.browser.consoleLines.filter((consoleLine) => /Content Security Policy|Refused to (load|execute|apply)/i.test(consoleLine));
      assert.deepEqual(violations, [], 'the panel loads nothing that its CSP refuses');
    } catch (error) {
      await screenshot(page, `${SHOT}-FAILED`).catch(() => undefined);
      console.error(workbench.server.logTail(30));
      throw error;
    }
  });
});
