/**
 * End to end: run folders written straight to disk (no training), "KD-UDA: Compare Runs" from the
 * palette, then the table: rows, sorting by a header, filtering, "only what differs", choosing columns, a run added
 * on disk appearing live, Enter on a row opening that run's results, and the panel's state kept
 * across hide and window reload. Also what it opens on: the columns shown at first, accuracy sorted
 * best first, each metric column's best value marked (and moving with the filter), and a header row
 * that is one tab stop. Screenshots: test-results/e2e-compare-runs.png, -dark.png and -light.png.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { writeRunFolder } from '../fixtures/experiments';
import { editorTab, pickQuickPickItem, runCommand, screenshot, waitForWorkbench, webviewFrame, type HasAttributes } from '../harness/browser';
import { poll } from '../harness/poll';
import { runStage } from '../harness/stage';
import { openDevWorkbench, type DevWorkbench } from '../harness/devWorkbench';
import { epochEvent, eventLines, evalEvent, modelCost, runResults } from '../fixtures/runFolderFiles';

const SHOT = 'e2e-compare-runs';
const TARGETS = ['svhn', 'usps'];

interface RunSpec {
  runId: string;
  method: string;
  teacher: string;
  studentLr: number;
  state: 'done' | 'running';
  /** Student accuracy per target; the teacher is 10 points better. */
  student: [number, number];
  /** The student's parameter count; 61,706 (LeNet-5) when absent. */
  studentParams?: number;
}

/** The kd-mtda runs by descending student mean once run f is written (in the keyboard stage). */
const ROWS_AFTER_F = ['20261106-090000-mtda-f', '20261105-090000-mtda-e', '20261103-090000-mtda-c', '20261101-090000-mtda-a', '20261104-090000-mtda-d'];

const RUNS: RunSpec[] = [
  { runId: '20261101-090000-mtda-a', method: 'kd-mtda', teacher: 'resnet-small', studentLr: 0.001, state: 'done', student: [0.6, 0.8] },
  { runId: '20261102-090000-stda-b', method: 'kd-stda', teacher: 'resnet-wide', studentLr: 0.01, state: 'done', student: [0.5, 0.6], studentParams: 30_000 },
  { runId: '20261103-090000-mtda-c', method: 'kd-mtda', teacher: 'resnet-small', studentLr: 0.0001, state: 'done', student: [0.75, 0.85] },
  { runId: '20261104-090000-mtda-d', method: 'kd-mtda', teacher: 'resnet-small', studentLr: 0.001, state: 'running', student: [0.3, 0.5] },
];

function writeRun(runsDir: string, run: RunSpec): Promise<string> {
  const experiment = {
    version: 1,
    name: run.runId.slice(16),
    data: { root: './digits', source: 'mnist', targets: TARGETS, imageSize: 28, channels: 1 },
    teacher: { architecture: run.teacher, width: 1 },
    student: { architecture: 'lenet5', width: 1 },
    method: { name: run.method, temperature: 4 },
    optimizer: { name: 'adam', studentLr: run.studentLr, teacherLr: 0.001 },
    epochs: 20,
    seed: 0,
  };
  const status = { version: 1, state: run.state, startedAt: `${run.runId.slice(0, 4)}-${run.runId.slice(4, 6)}-${run.runId.slice(6, 8)}T09:00:00.000Z` };
  const student = Object.fromEntries(TARGETS.map((target, i) => [target, run.student[i]]));
  const teacher = Object.fromEntries(TARGETS.map((target, i) => [target, run.student[i] + 0.1]));
  const mean = (byTarget: Record<string, number>) => TARGETS.reduce((sum, target) => sum + byTarget[target], 0) / TARGETS.length;
  // A running run has only its events so far; a finished one its results.
  const progress =
    run.state === 'running'
      ? { 'events.jsonl': eventLines([evalEvent(3, { student, teacher }), epochEvent(3, 20)]) }
      : {
          'results.json': runResults({
            method: run.method,
            targets: TARGETS,
            headline: { label: 'last epoch', epoch: 20, accuracy: { student, teacher }, meanTarget: { student: mean(student), teacher: mean(teacher) } },
            costs: { student: modelCost(run.studentParams ?? 61_706, 416_520), teacher: modelCost(1_180_000, 8_900_000) },
          }),
        };
  return writeRunFolder(path.join(runsDir, run.runId), { 'experiment.json': experiment, 'status.json': status, ...progress });
}

describe('Compare Runs panel (code-server + Chromium)', { timeout: 300_000 }, () => {
  let workbench: DevWorkbench;
  let page: Page;
  let frame: FrameLocator;

  const runIds = async (): Promise<string[]> => (await frame.locator('#runs-table tbody button.run-link').allTextContents()).map((text) => text.trim());
  const headers = async (): Promise<string[]> =>
    frame.locator('#runs-table thead button.sort').evaluateAll((buttons: HasAttributes[]) => buttons.map((button) => button.getAttribute('data-column') ?? ''));
  const expectRows = (what: string, expected: string[], timeoutMs = 15_000) =>
    poll(what, async () => JSON.stringify(await runIds()) === JSON.stringify(expected), timeoutMs).catch(async (error: Error) => {
      throw new Error(`${error.message}; rows are ${JSON.stringify(await runIds())}, expected ${JSON.stringify(expected)}`);
    });

  const stage = (name: string, body: () => Promise<void>) => runStage(() => workbench, SHOT, name, body);
  /** The runs whose cell in column `key` is marked best: bold, starred, and read as "(best)". */
  const bestRuns = async (key: string): Promise<string[]> => {
    const colindex = await frame.locator(`#runs-table thead th:has(button[data-column="${key}"])`).getAttribute('aria-colindex');
    return frame
      .locator(`#runs-table tbody tr:has(td.best[aria-colindex="${colindex}"])`)
      .evaluateAll((rows: HasAttributes[]) => rows.map((row) => (row.getAttribute('data-run-dir') ?? '').split(/[\\/]/).pop() ?? ''));
  };
  const expectBest = (what: string, key: string, expected: string[]) =>
    poll(what, async () => JSON.stringify(await bestRuns(key)) === JSON.stringify(expected), 10_000).catch(async (error: Error) => {
      throw new Error(`${error.message}; best in ${key} are ${JSON.stringify(await bestRuns(key))}, expected ${JSON.stringify(expected)}`);
    });
  /** Picks a color theme from the palette and waits for the panel to wear it (its body's class). */
  const useTheme = async (label: RegExp, bodyClass: string): Promise<void> => {
    await editorTab(page, 'Compare Runs').click();
    await runCommand(page, 'Preferences: Color Theme', 60_000, true);
    await pickQuickPickItem(page, label, 30_000);
    await poll(`the panel in ${bodyClass}`, async () => (await frame.locator('body').getAttribute('class'))?.includes(bodyClass) ?? false, 15_000);
  };

  before(async () => {
    workbench = await openDevWorkbench({
      prepare: async (workspace) => {
        for (const run of RUNS) await writeRun(path.join(workspace.root, 'runs'), run);
      },
    });
    page = workbench.page;
    frame = webviewFrame(page);
  });

  after(() => workbench?.dispose());

  it('opens from the palette with one row per run, newest first', async () => {
    await stage('open', async () => {
      await runCommand(page, 'KD-UDA: Compare Runs');
      await editorTab(page, 'Compare Runs').waitFor({ state: 'visible', timeout: 30_000 });
      await expectRows('one row per run folder, newest first', RUNS.map((run) => run.runId).reverse(), 30_000);
      assert.match((await frame.locator('#summary').textContent()) ?? '', /^4 of 4 runs/);
      // What matters first, and nothing else until chosen: no data.root, no 40 experiment fields before the metrics.
      assert.deepEqual(await headers(), ['run', 'method.name', 'domains', 'acc.student.mean', 'params.student', 'macs.student', 'acc.teacher.mean']);
      assert.equal(((await frame.locator('#runs-table thead button.sort[data-column="domains"]').textContent()) ?? '').trim(), 'source → targets');
      const domains = frame.locator(`#runs-table tr[data-run-dir$="${RUNS[2].runId}"] td[aria-colindex="3"]`);
      assert.equal(((await domains.textContent()) ?? '').trim(), 'mnist → svhn, usps');
      assert.match((await frame.locator('#column-chooser summary').textContent()) ?? '', /^Columns \(7 of \d\d\)/, 'the chooser says more columns are there');
      const meanHeader = frame.locator('#runs-table thead th:has(button[data-column="acc.student.mean"])');
      await meanHeader.waitFor({ state: 'visible', timeout: 10_000 });
      const mean = frame.locator(`#runs-table tr[data-run-dir$="${RUNS[2].runId}"] td[aria-colindex="${await meanHeader.getAttribute('aria-colindex')}"]`);
      assert.equal(((await mean.textContent()) ?? '').trim(), '★80.0% (best)', 'the student mean target accuracy of run c, the best');
    });
  });

  it('sorts by a header (a button with aria-sort), missing values last, and filters by field:value', async () => {
    await stage('sort-filter', async () => {
      const header = frame.locator('#runs-table thead button.sort[data-column="acc.student.mean"]');
      // Accuracy sorts best first on the first click: the student means read back descend.
      await header.click();
      await expectRows('descending student mean', ['20261103-090000-mtda-c', '20261101-090000-mtda-a', '20261102-090000-stda-b', '20261104-090000-mtda-d']);
      assert.equal(await frame.locator('#runs-table thead th:has(button[data-column="acc.student.mean"])').getAttribute('aria-sort'), 'descending');
      const meanColindex = await frame.locator('#runs-table thead th:has(button[data-column="acc.student.mean"])').getAttribute('aria-colindex');
      const means = (await frame.locator(`#runs-table tbody td[aria-colindex="${meanColindex}"]`).allTextContents()).map((text) =>
        text.replace(/[^\d.%]/g, ''),
      );
      assert.deepEqual(means, ['80.0%', '70.0%', '55.0%', '40.0%'], 'the values read back, best first');
      await header.press('Enter');
      await expectRows('ascending student mean', ['20261104-090000-mtda-d', '20261102-090000-stda-b', '20261101-090000-mtda-a', '20261103-090000-mtda-c']);
      assert.equal(await frame.locator('#runs-table thead th:has(button[data-column="acc.student.mean"])').getAttribute('aria-sort'), 'ascending');
      await header.press('Enter');
      await expectRows('descending student mean again', [
        '20261103-090000-mtda-c',
        '20261101-090000-mtda-a',
        '20261102-090000-stda-b',
        '20261104-090000-mtda-d',
      ]);

      // The best of each metric column is marked (highest accuracy, fewest parameters), not by colour alone.
      await expectBest('run c the best student mean', 'acc.student.mean', ['20261103-090000-mtda-c']);
      await expectBest('run c the best teacher mean', 'acc.teacher.mean', ['20261103-090000-mtda-c']);
      await expectBest('run b the smallest student', 'params.student', ['20261102-090000-stda-b']);
      const bestCell = frame.locator(`#runs-table tr[data-run-dir$="20261103-090000-mtda-c"] td[aria-colindex="${meanColindex}"]`);
      assert.equal(((await bestCell.textContent()) ?? '').trim(), '★80.0% (best)', 'a star, and "best" for a screen reader');
      assert.match((await bestCell.getAttribute('class')) ?? '', /\bbest\b/, 'bold by its class');
      // The best is over the rows shown: a filter that leaves out the best run moves the mark.
      await frame.locator('#filter').fill('studentLr:0.001');
      await expectRows('the runs at lr 0.001', ['20261101-090000-mtda-a', '20261104-090000-mtda-d']);
      await expectBest('run a now the best student mean', 'acc.student.mean', ['20261101-090000-mtda-a']);
      await expectBest('no best of one value (run d has no costs)', 'params.student', []);

      await frame.locator('#filter').fill('method.name:kd-mtda');
      await expectBest('run b filtered out: the same size left everywhere, so no best', 'params.student', []);
      await expectBest('run c the best student mean again', 'acc.student.mean', ['20261103-090000-mtda-c']);
      await expectRows('the kd-mtda runs, still sorted', ['20261103-090000-mtda-c', '20261101-090000-mtda-a', '20261104-090000-mtda-d']);
      assert.match((await frame.locator('#summary').textContent()) ?? '', /^3 of 4 runs/);
    });
  });

  it('"only what differs" keeps just the columns that differ among the rows shown', async () => {
    await stage('only-differs', async () => {
      // Any other field is one click away: the chooser's checkboxes (keyboard reachable).
      await frame.locator('#column-chooser summary').click();
      for (const key of ['state', 'teacher.architecture', 'optimizer.studentLr', 'data.source'])
        await frame.locator(`#column-chooser input[data-column="${key}"]`).check();
      await frame.locator('#column-chooser summary').click();
      await poll('the chosen columns drawn', async () => (await headers()).includes('teacher.architecture'), 10_000);
      await frame.locator('#only-differing').check();
      await poll('equal columns to go', async () => !(await headers()).includes('teacher.architecture'), 10_000);
      const shown = await headers();
      for (const key of ['run', 'state', 'optimizer.studentLr', 'acc.student.mean'])
        assert.ok(shown.includes(key), `${key} differs among the kd-mtda runs: ${shown.join(', ')}`);
      for (const key of ['method.name', 'domains', 'data.source']) assert.ok(!shown.includes(key), `${key} is the same in every kd-mtda run`);
      // An unchecked column goes; "Default columns" brings back the defaults alone.
      await frame.locator('#column-chooser summary').click();
      await frame.locator('#column-chooser input[data-column="state"]').uncheck();
      await poll('the unchosen column to go', async () => !(await headers()).includes('state'), 10_000);
      await frame.locator('#columns-default').click();
      await poll('the chosen columns gone with the defaults', async () => !(await headers()).includes('optimizer.studentLr'), 10_000);
      assert.equal(await frame.locator('#column-chooser input[data-column="teacher.architecture"]').isChecked(), false);
      assert.equal(await frame.locator('#column-chooser input[data-column="acc.student.mean"]').isChecked(), true);
      await frame.locator('#column-chooser summary').click();
      // Room for the whole table in the picture.
      await runCommand(page, 'View: Close Primary Side Bar');
      await frame.locator('#runs-table thead th[aria-sort="descending"]').waitFor({ state: 'visible' });
      await screenshot(page, SHOT);
    });
  });

  it('follows the runs folder: a run written on disk appears', async () => {
    await stage('live', async () => {
      await writeRun(path.join(workbench.workspace.root, 'runs'), {
        runId: '20261105-090000-mtda-e',
        method: 'kd-mtda',
        teacher: 'resnet-small',
        studentLr: 0.003,
        state: 'done',
        student: [0.9, 0.9],
      });
      await expectRows(
        'the new run on top of the sorted, filtered table',
        ['20261105-090000-mtda-e', '20261103-090000-mtda-c', '20261101-090000-mtda-a', '20261104-090000-mtda-d'],
        30_000,
      );
    });
  });

  it('opens a run’s results with Enter on its row (the Open Results command), and keeps its state across hide and reload', async () => {
    await stage('keyboard-and-restore', async () => {
      await frame.locator('#runs-table tbody button.run-link').first().focus();
      await page.keyboard.press('ArrowDown');
      assert.equal(((await frame.locator('#runs-table tbody button.run-link:focus').textContent()) ?? '').trim(), '20261103-090000-mtda-c');
      // A run appearing above it moves run c down a row: the focus (and Enter) must stay on run c, not on the row position.
      await writeRun(path.join(workbench.workspace.root, 'runs'), {
        runId: '20261106-090000-mtda-f',
        method: 'kd-mtda',
        teacher: 'resnet-small',
        studentLr: 0.002,
        state: 'done',
        student: [0.95, 0.95],
      });
      await expectRows('the new run first, run c now third', ROWS_AFTER_F, 30_000);
      assert.equal(
        ((await frame.locator('#runs-table tbody button.run-link:focus').textContent()) ?? '').trim(),
        '20261103-090000-mtda-c',
        'the focus follows the run',
      );
      await page.keyboard.press('Enter');
      await editorTab(page, 'Results: 20261103-090000-mtda-c').waitFor({ state: 'visible', timeout: 30_000 });

      // Hidden behind the results panel, the webview is torn down (no retainContextWhenHidden).
      await editorTab(page, 'Compare Runs').click();
      await expectRows('the same sorted, filtered rows after hide and show', ROWS_AFTER_F, 30_000);
      assert.equal(await frame.locator('#filter').inputValue(), 'method.name:kd-mtda');

      await runCommand(page, 'Developer: Reload Window');
      await waitForWorkbench(page);
      await editorTab(page, 'Compare Runs').waitFor({ state: 'visible', timeout: 30_000 });
      await editorTab(page, 'Compare Runs').click();
      await expectRows('the same rows after a window reload', ROWS_AFTER_F, 30_000);
      assert.equal(await frame.locator('#only-differing').isChecked(), true);

      const violations = workbench.browser.consoleLines.filter((line) => /Content Security Policy|Refused to (load|execute|apply)/i.test(line));
      assert.deepEqual(violations, [], 'the panel loads nothing that its CSP refuses');
    });
  });

  it('has a header row of one tab stop (arrows move along it, Enter sorts), so Tab goes from the filter to the rows in a few presses', async () => {
    await stage('tab-stops', async () => {
      await frame.locator('#filter').focus();
      const focused = () =>
        frame
          .locator(':focus')
          .evaluate(
            (element: HasAttributes & { tagName: string; id: string; className: string }) =>
              `${element.tagName.toLowerCase()}#${element.id}.${element.className}[${element.getAttribute('data-column') ?? ''}]`,
          );
      const stops: string[] = [];
      for (let presses = 0; presses < 30; presses++) {
        await page.keyboard.press('Tab');
        stops.push(await focused());
        if (stops.at(-1)?.includes('row-button')) break;
      }
      // Only what differs, Group by all but seed, Plot, Columns, the header row once, then the first row.
      assert.equal(stops.length, 6, `Tab stops from the filter to the first row: ${stops.join(' → ')}`);
      assert.match(stops[4], /^button#\.sort\[run\]$/, 'the header row is reached once, on its first column');
      assert.equal(((await frame.locator('#runs-table tbody button.run-link:focus').textContent()) ?? '').trim(), ROWS_AFTER_F[0]);
      // Back to the header: Right moves along it, Enter sorts by the column reached.
      await page.keyboard.press('Shift+Tab');
      assert.match(await focused(), /\.sort\[run\]$/);
      await page.keyboard.press('ArrowRight');
      assert.match(await focused(), /\.sort\[acc\.student\.mean\]$/, 'only what differs hides method and domains: the next shown column');
      await page.keyboard.press('End');
      assert.match(await focused(), /\.sort\[acc\.teacher\.mean\]$/, 'End: the last column');
      await page.keyboard.press('Enter');
      assert.equal(await frame.locator('#runs-table thead th:has(button[data-column="acc.teacher.mean"])').getAttribute('aria-sort'), 'descending');
      await page.keyboard.press('Home');
      assert.match(await focused(), /\.sort\[run\]$/, 'Home: the first column');
      assert.equal(await frame.locator('#runs-table thead button.sort[tabindex="0"]').count(), 1, 'one header in the tab order');

      await useTheme(/^Dark (Modern|\+)/, 'vscode-dark');
      await screenshot(page, `${SHOT}-dark`);
      await useTheme(/^Light (Modern|\+)/, 'vscode-light');
      await screenshot(page, `${SHOT}-light`);
    });
  });
});
