/**
 * End to end: a 2 × 3 sweep written as six run folders (two student learning rates, seeds 0, 1, 2),
 * Compare Runs grouped by all but seed: two rows whose mean ± std (n) are the values computed here
 * from the six runs' results.json, sorted by the mean, expanded to their runs from the keyboard,
 * exported as Markdown through Export Results, and kept grouped and expanded across a window reload.
 * Screenshots: test-results/e2e-compare-runs-grouped-dark.png and -light.png.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { writeRunFolder } from '../fixtures/experiments';
import { modelCost, runResults } from '../fixtures/runFolderFiles';
import { editorTab, pickQuickPickItem, runCommand, screenshot, waitForWorkbench, webviewFrame, type HasAttributes } from '../harness/browser';
import { openDevWorkbench, type DevWorkbench } from '../harness/devWorkbench';
import { poll } from '../harness/poll';
import { runStage } from '../harness/stage';

const SHOT = 'e2e-compare-runs-grouped';
const TARGETS = ['svhn', 'usps'];
const SEEDS = [0, 1, 2];

/** Student accuracy per target by seed, for each learning rate. */
const SWEEP: { studentLr: number; student: [number, number][] }[] = [
  {
    studentLr: 0.001,
    student: [
      [0.5, 0.5],
      [0.55, 0.55],
      [0.6, 0.6],
    ],
  },
  {
    studentLr: 0.01,
    student: [
      [0.7, 0.8],
      [0.72, 0.84],
      [0.8, 0.9],
    ],
  },
];

const runIdOf = (config: number, seed: number): string => `2026111${config}-09000${seed}-sweep-lr${config}-s${seed}`;

function writeRun(runsDir: string, config: number, seed: number): Promise<string> {
  const { studentLr, student: bySeed } = SWEEP[config];
  const runId = runIdOf(config, seed);
  const experiment = {
    version: 1,
    name: 'lr-sweep',
    data: { root: './digits', source: 'mnist', targets: TARGETS, imageSize: 28, channels: 1 },
    teacher: { architecture: 'resnet-small', width: 1 },
    student: { architecture: 'lenet5', width: 1 },
    method: { name: 'kd-mtda', temperature: 4 },
    optimizer: { name: 'adam', studentLr, teacherLr: 0.001 },
    epochs: 20,
    seed,
  };
  const student = Object.fromEntries(TARGETS.map((target, i) => [target, bySeed[seed][i]]));
  const teacher = Object.fromEntries(TARGETS.map((target, i) => [target, bySeed[seed][i] + 0.05]));
  const mean = (byTarget: Record<string, number>) => TARGETS.reduce((sum, target) => sum + byTarget[target], 0) / TARGETS.length;
  return writeRunFolder(path.join(runsDir, runId), {
    'experiment.json': experiment,
    'status.json': { version: 1, state: 'done', startedAt: `2026-11-1${config}T09:00:0${seed}.000Z` },
    'results.json': runResults({
      method: 'kd-mtda',
      targets: TARGETS,
      headline: { label: 'last epoch', epoch: 20, accuracy: { student, teacher }, meanTarget: { student: mean(student), teacher: mean(teacher) } },
      costs: { student: modelCost(61_706, 416_520), teacher: modelCost(1_180_000, 8_900_000) },
    }),
  });
}

/** `mean ± std` in percent with one decimal, sample std (n − 1), from the numbers as the runs' results.json hold them. */
function meanAndStd(values: number[]): string {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const std = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1));
  return `${(100 * mean).toFixed(1)} ± ${(100 * std).toFixed(1)}`;
}

describe('Compare Runs grouped by all but seed (code-server + Chromium)', { timeout: 400_000 }, () => {
  let workbench: DevWorkbench;
  let page: Page;
  let frame: FrameLocator;
  /** Per learning rate, the student's mean target accuracy as `mean ± std`, read back from the six results.json. */
  const expected: string[] = [];

  const stage = (name: string, body: () => Promise<void>) => runStage(() => workbench, SHOT, name, body);
  const groupLabels = async (): Promise<string[]> =>
    (await frame.locator('#runs-table tbody tr.group button.group-toggle').allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());
  const memberRuns = async (): Promise<string[]> =>
    (await frame.locator('#runs-table tbody tr.member button.run-link').allTextContents()).map((text) => text.trim());
  const focusedRow = async (): Promise<string> =>
    ((await frame.locator('#runs-table tbody button.row-button:focus').textContent()) ?? '').replace(/\s+/g, ' ').trim();
  /** Each group row's cell in a column, top to bottom. */
  /** The groups' cells in column `key`, as drawn but for the best one's mark (★ … (best)), which `marked` keeps. */
  const groupCells = async (key: string, marked = false): Promise<string[]> => {
    const colindex = await frame.locator(`#runs-table thead th:has(button[data-column="${key}"])`).getAttribute('aria-colindex');
    const texts = (await frame.locator(`#runs-table tbody tr.group td[aria-colindex="${colindex}"]`).allTextContents()).map((text) => text.trim());
    return marked ? texts : texts.map((text) => text.replace(/^★/, '').replace(/ \(best\)$/, ''));
  };
  const headers = async (): Promise<string[]> =>
    frame.locator('#runs-table thead button.sort').evaluateAll((buttons: HasAttributes[]) => buttons.map((button) => button.getAttribute('data-column') ?? ''));

  /** Picks a color theme from the palette and waits for the panel to wear it (its body's class). */
  const useTheme = async (label: RegExp, bodyClass: string): Promise<void> => {
    await editorTab(page, 'Compare Runs').click();
    // The command opens a second pick, of the themes; the palette's retries ride out a loaded machine.
    await runCommand(page, 'Preferences: Color Theme', 60_000, true);
    await pickQuickPickItem(page, label, 30_000);
    await poll(`the panel in ${bodyClass}`, async () => (await frame.locator('body').getAttribute('class'))?.includes(bodyClass) ?? false, 15_000);
  };

  before(async () => {
    workbench = await openDevWorkbench({
      prepare: async (workspace) => {
        const runsDir = path.join(workspace.root, 'runs');
        for (const config of [0, 1]) for (const seed of SEEDS) await writeRun(runsDir, config, seed);
        for (const config of [0, 1]) {
          const means = await Promise.all(
            SEEDS.map(async (seed) => {
              const results = JSON.parse(await readFile(path.join(runsDir, runIdOf(config, seed), 'results.json'), 'utf8')) as {
                headline: { meanTarget: { student: number } };
              };
              return results.headline.meanTarget.student;
            }),
          );
          expected.push(meanAndStd(means));
        }
      },
    });
    page = workbench.page;
    frame = webviewFrame(page);
  });

  after(() => workbench?.dispose());

  it('groups the six runs into two configurations whose cells are mean ± std (n) of their results.json', async () => {
    await stage('group', async () => {
      await runCommand(page, 'KD-UDA: Compare Runs');
      await editorTab(page, 'Compare Runs').waitFor({ state: 'visible', timeout: 30_000 });
      await poll('six run rows', async () => (await frame.locator('#runs-table tbody button.run-link').count()) === 6, 30_000);
      await runCommand(page, 'View: Close Primary Side Bar');
      // From the keyboard: the toggle is a checkbox in the tab order.
      await frame.locator('#group-by-seed').focus();
      await page.keyboard.press('Space');
      await poll('two configuration rows', async () => (await frame.locator('#runs-table tbody tr.group').count()) === 2, 10_000);
      assert.equal(await frame.locator('#runs-table tbody button.run-link').count(), 0, 'groups start closed');
      assert.deepEqual(await groupLabels(), ['▸lr-sweep · 3 runs', '▸lr-sweep · 3 runs']);
      assert.match((await frame.locator('#summary').textContent()) ?? '', /^6 of 6 runs .* · 2 configurations/);
      // The seed and learning rate are not shown on open: chosen here, so "only what differs" has them to judge.
      await frame.locator('#column-chooser summary').click();
      for (const key of ['seed', 'optimizer.studentLr']) await frame.locator(`#column-chooser input[data-column="${key}"]`).check();
      await frame.locator('#column-chooser summary').click();
      await poll('the chosen seed column', async () => (await headers()).includes('seed'), 10_000);
      // Only what differs between the configurations: the learning rate and the metrics, not the seeds (0, 1, 2 in both).
      await frame.locator('#only-differing').check();
      await poll('the seed column hidden', async () => !(await headers()).includes('seed'), 10_000);
      assert.ok((await headers()).includes('optimizer.studentLr'));
      // Newest first: the lr 0.01 runs (started on the 11th) before the lr 0.001 ones.
      assert.deepEqual(await groupCells('optimizer.studentLr'), ['0.01', '0.001']);
      assert.deepEqual(await groupCells('acc.student.mean'), [`${expected[1]} (3)`, `${expected[0]} (3)`]);
      assert.equal(expected[0], '55.0 ± 5.0', 'the hand-computed configuration');
      // Grouped, the best configuration (by its mean) is the one marked.
      assert.deepEqual(await groupCells('acc.student.mean', true), [`★${expected[1]} (3) (best)`, `${expected[0]} (3)`]);
    });
  });

  it('sorts the configurations by a metric’s mean', async () => {
    await stage('sort', async () => {
      // Accuracy sorts best first on the first click, then the other way.
      const header = frame.locator('#runs-table thead button.sort[data-column="acc.student.mean"]');
      await header.click();
      await poll('descending mean: lr 0.01 first', async () => JSON.stringify(await groupCells('optimizer.studentLr')) === '["0.01","0.001"]', 10_000);
      assert.equal(await frame.locator('#runs-table thead th:has(button[data-column="acc.student.mean"])').getAttribute('aria-sort'), 'descending');
      await header.click();
      await poll('ascending mean: lr 0.001 first', async () => JSON.stringify(await groupCells('optimizer.studentLr')) === '["0.001","0.01"]', 10_000);
      assert.deepEqual(await groupCells('acc.student.mean'), [`${expected[0]} (3)`, `${expected[1]} (3)`]);
    });
  });

  it('expands a configuration to its runs from the keyboard', async () => {
    await stage('expand', async () => {
      const first = frame.locator('#runs-table tbody button.group-toggle').first();
      await first.focus();
      await page.keyboard.press('ArrowRight');
      await poll('three runs under the first configuration', async () => (await memberRuns()).length === 3, 10_000);
      assert.deepEqual((await memberRuns()).sort(), SEEDS.map((seed) => runIdOf(0, seed)).sort());
      assert.equal(await first.getAttribute('aria-expanded'), 'true');
      await page.keyboard.press('ArrowRight');
      assert.match(await focusedRow(), /^2026111/, 'Right on an open group goes to its first run');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      assert.match(await focusedRow(), /lr-sweep · 3 runs$/, 'Down past the last run reaches the next configuration');
      await page.keyboard.press('Enter');
      await poll('both configurations open', async () => (await memberRuns()).length === 6, 10_000);
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('ArrowLeft');
      assert.match(await focusedRow(), /lr-sweep · 3 runs$/, 'Left on a run goes to its configuration');
      await page.keyboard.press('ArrowLeft');
      await poll('the first configuration closed again, the second open', async () => (await memberRuns()).length === 3, 10_000);
      assert.deepEqual((await memberRuns()).sort(), SEEDS.map((seed) => runIdOf(1, seed)).sort());
      await useTheme(/^Dark (Modern|\+)/, 'vscode-dark');
      await screenshot(page, `${SHOT}-dark`);
    });
  });

  it('exports the grouped table through Export Results as a paper prints it', async () => {
    await stage('export', async () => {
      await frame.locator('#export-grouped').click();
      await pickQuickPickItem(page, 'Markdown');
      // An untitled document, its tab named after its first line.
      const text = async () => ((await page.locator('.part.editor .monaco-editor .view-lines').first().innerText()) ?? '').replace(/\u00a0/g, ' ');
      await poll('the exported table', async () => (await text().catch(() => '')).includes(expected[1]), 30_000);
      const exported = await text();
      assert.match(exported, /^\| configuration \| n \| (.*\| )?optimizer\.studentLr \| (.*\| )?student mean \| (.*\| )?teacher mean \|/m);
      const rows = exported.split('\n').filter((line) => line.startsWith('| lr-sweep | 3 |'));
      assert.equal(rows.length, 2, exported);
      assert.ok(rows[0].includes('| 0.001 |') && rows[0].includes(`| ${expected[0]} |`), rows[0]);
      assert.ok(rows[1].includes('| 0.01 |') && rows[1].includes(`| ${expected[1]} |`), rows[1]);
      await editorTab(page, 'Compare Runs').click();
    });
  });

  it('keeps the grouping and the open configuration across a window reload, in the light theme too, with nothing refused by the CSP', async () => {
    await stage('reload-light', async () => {
      await runCommand(page, 'Developer: Reload Window');
      await waitForWorkbench(page);
      await editorTab(page, 'Compare Runs').waitFor({ state: 'visible', timeout: 30_000 });
      await editorTab(page, 'Compare Runs').click();
      await poll(
        'two configurations, the second open',
        async () => (await frame.locator('#runs-table tbody tr.group').count()) === 2 && (await memberRuns()).length === 3,
        30_000,
      );
      assert.equal(await frame.locator('#group-by-seed').isChecked(), true);
      assert.deepEqual((await memberRuns()).sort(), SEEDS.map((seed) => runIdOf(1, seed)).sort());

      await useTheme(/^Light (Modern|\+)/, 'vscode-light');
      await screenshot(page, `${SHOT}-light`);

      const violations = workbench.browser.consoleLines.filter((line) => /Content Security Policy|Refused to (load|execute|apply)/i.test(line));
      assert.deepEqual(violations, [], 'the panel loads nothing that its CSP refuses');
    });
  });
});
