/**
 * End to end: Compare Runs' accuracy-versus-cost plot on six run folders (three configurations ×
 * seeds 0 and 1, a teacher and a student each): one marker per model and run where the axes put
 * the fixture's numbers, exactly the Pareto front worked out by hand here, the x axis switched to
 * parameters, the plot following the filter, a click and Enter opening a run's results, and grouped
 * by all but seed one marker per configuration and model whose error bar spans ± its sample std.
 * Screenshots: test-results/e2e-compare-runs-pareto-{dark,light,grouped-dark,grouped-light}.png, and
 * each with -plot: the plot alone.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { writeRunFolder } from '../fixtures/experiments';
import { modelCost, runResults } from '../fixtures/runFolderFiles';
import { editorTab, pickQuickPickItem, runCommand, screenshot, webviewFrame, type HasAttributes } from '../harness/browser';
import { openDevWorkbench, type DevWorkbench } from '../harness/devWorkbench';
import { TEST_RESULTS_DIR } from '../harness/paths';
import { poll } from '../harness/poll';
import { runStage } from '../harness/stage';

const SHOT = 'e2e-compare-runs-pareto';
const TARGETS = ['svhn', 'usps'];
const SEEDS = [0, 1];

/** A model's cost: MACs per image, parameters, and latency as the batch the trainer timed (64 images). */
interface Cost {
  macs: number;
  params: number;
  msPerBatch: number;
}
const TEACHER: Cost = { macs: 8_900_000, params: 1_180_000, msPerBatch: 32 };
const STUDENT: Cost = { macs: 416_520, params: 61_706, msPerBatch: 3.2 };
const HALF_STUDENT: Cost = { macs: 120_000, params: 16_000, msPerBatch: 1.6 };

/** Three configurations; mean target accuracy of student and teacher by seed. */
const CONFIGS = [
  { id: 'p', method: 'kd-mtda', studentWidth: 1, student: STUDENT, accuracy: { student: [0.6, 0.64], teacher: [0.8, 0.84] } },
  { id: 'q', method: 'kd-stda', studentWidth: 1, student: STUDENT, accuracy: { student: [0.55, 0.57], teacher: [0.86, 0.82] } },
  { id: 'r', method: 'kd-mtda', studentWidth: 0.5, student: HALF_STUDENT, accuracy: { student: [0.5, 0.46], teacher: [0.78, 0.74] } },
] as const;
type Role = 'student' | 'teacher';
const ROLES: Role[] = ['teacher', 'student'];

/** Seed 1 sorts (and so is shown) before seed 0: the runs folder lists newest first. */
const runIdOf = (config: number, seed: number): string => `2026120${config + 1}-09000${seed}-${CONFIGS[config].id}-s${seed}`;
const costOf = (config: number, role: Role): Cost => (role === 'teacher' ? TEACHER : CONFIGS[config].student);

/**
 * Worked out by hand from CONFIGS (cost first, then accuracy): at 120k MACs the half-width student of
 * r seed 0 (50%) is the only cheapest; at 416.5k, p seed 1's student (64%) beats every other student
 * and r's; at 8.9M, q seed 0's teacher (86%) beats every teacher. Everything else is beaten.
 */
const FRONT = [`${runIdOf(2, 0)} student`, `${runIdOf(0, 1)} student`, `${runIdOf(1, 0)} teacher`];
/** KD-MTDA runs only: p seed 1's teacher (84%) is then the best teacher. */
const FRONT_KD_MTDA = [`${runIdOf(2, 0)} student`, `${runIdOf(0, 1)} student`, `${runIdOf(0, 1)} teacher`];
/** Grouped: means r student 48%, p student 62%, q student 56%; teachers p 82%, q 84%, r 76%. */
const GROUPED_FRONT = ['r student', 'p student', 'q teacher'];

function writeRun(runsDir: string, config: number, seed: number): Promise<string> {
  const { method, studentWidth, accuracy } = CONFIGS[config];
  const byTarget = (mean: number) => ({ [TARGETS[0]]: mean - 0.02, [TARGETS[1]]: mean + 0.02 });
  const cost = (role: Role) => {
    const { macs, params, msPerBatch } = costOf(config, role);
    return modelCost(params, macs, { latencyMsPerBatch: msPerBatch, latencyBatchSize: 64 });
  };
  return writeRunFolder(path.join(runsDir, runIdOf(config, seed)), {
    'experiment.json': {
      version: 1,
      name: `pareto-${CONFIGS[config].id}`,
      data: { root: './digits', source: 'mnist', targets: TARGETS, imageSize: 28, channels: 1 },
      teacher: { architecture: 'resnet-small', width: 1 },
      student: { architecture: 'lenet5', width: studentWidth },
      method: { name: method, temperature: 4 },
      epochs: 20,
      seed,
    },
    'status.json': { version: 1, state: 'done', startedAt: `2026-12-0${config + 1}T09:00:0${seed}.000Z` },
    'results.json': runResults({
      method,
      targets: TARGETS,
      headline: {
        epoch: 20,
        accuracy: { student: byTarget(accuracy.student[seed]), teacher: byTarget(accuracy.teacher[seed]) },
        meanTarget: { student: accuracy.student[seed], teacher: accuracy.teacher[seed] },
      },
      costs: { student: cost('student'), teacher: cost('teacher') },
    }),
  });
}

/** A marker as drawn: its data and where it is. */
interface Marker {
  /** The run folder, or (grouped) the configuration's key: what data-key holds before the role. */
  source: string;
  role: string;
  accuracy: number;
  cost: number;
  std?: number;
  n: number;
  front: boolean;
  x: number;
  y: number;
  key: string;
  index: string;
}

/** A tick: its value and where it is drawn along its axis. */
interface Tick {
  value: number;
  at: number;
  text: string;
}

const sampleStd = (values: number[]): number => {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1));
};

describe('Compare Runs accuracy-versus-cost plot (code-server + Chromium)', { timeout: 500_000 }, () => {
  let workbench: DevWorkbench;
  let page: Page;
  let frame: FrameLocator;

  const stage = (name: string, body: () => Promise<void>) => runStage(() => workbench, SHOT, name, body);

  const markers = async (): Promise<Marker[]> =>
    frame.locator('#cost-plot-svg .point').evaluateAll((elements: HasAttributes[]) =>
      elements.map((element) => {
        const get = (name: string) => element.getAttribute(name) ?? '';
        const [, x, y] = /translate\(([-\d.]+) ([-\d.]+)\)/.exec(get('transform')) ?? [];
        const [source, role] = get('data-key').split('\n');
        return {
          source,
          role,
          accuracy: Number(get('data-accuracy')),
          cost: Number(get('data-cost')),
          ...(element.getAttribute('data-std') === null ? {} : { std: Number(get('data-std')) }),
          // A run's marker is one run: n only on a configuration's.
          n: element.getAttribute('data-n') === null ? 1 : Number(get('data-n')),
          front: get('data-front') === 'true',
          x: Number(x),
          y: Number(y),
          key: get('data-key'),
          index: get('data-index'),
        };
      }),
    );
  const ticks = async (axis: 'x' | 'y'): Promise<Tick[]> =>
    frame.locator(`#cost-plot-svg .${axis}-tick`).evaluateAll(
      (elements: (HasAttributes & { textContent: string | null })[], which) =>
        elements.map((element) => ({
          value: Number(element.getAttribute('data-value')),
          at: Number(element.getAttribute(which)),
          text: element.textContent ?? '',
        })),
      axis,
    );
  /** The workbench, and the plot alone at the browser's full resolution (to look at the markers). */
  const screenshots = async (name: string): Promise<void> => {
    await screenshot(page, name);
    await frame.locator('#cost-plot').screenshot({ path: path.join(TEST_RESULTS_DIR, `${name}-plot.png`) });
  };
  const markerAt = (marker: Marker) => frame.locator(`#cost-plot-svg .point[data-index="${marker.index}"]`);
  /** A marker's run id and role, as FRONT names them. */
  const runRole = (marker: Marker): string => `${path.basename(marker.source)} ${marker.role}`;
  /** The one marker in the tab order: a button named by what it is. */
  const tabStop = async (): Promise<{ count: number; role: string | null; label: string | null }> => {
    const stop = frame.locator('#cost-plot-svg .point[tabindex="0"]');
    return { count: await stop.count(), role: await stop.getAttribute('role'), label: await stop.getAttribute('aria-label') };
  };
  const focusedLabel = async (): Promise<string | null> => frame.locator('#cost-plot-svg .point:focus').getAttribute('aria-label');
  const frontOf = (drawn: Marker[]): string[] => drawn.filter((marker) => marker.front).map(runRole);

  /**
   * Checks that every marker sits where the axes say its numbers go: y linear in accuracy, x
   * logarithmic in cost, both read back from two of the axis's labelled ticks (not from the code that drew them).
   */
  const assertPlacedByAxes = async (drawn: Marker[]): Promise<{ pxPerAccuracy: number }> => {
    const [y0, y1] = await ticks('y');
    const [x0, x1] = await ticks('x');
    assert.ok(y0 && y1 && x0 && x1, 'two labelled ticks on each axis');
    const pxPerAccuracy = (y1.at - y0.at) / (y1.value - y0.value);
    const pxPerDecade = (x1.at - x0.at) / Math.log10(x1.value / x0.value);
    for (const marker of drawn) {
      assert.ok(Math.abs(y0.at + (marker.accuracy - y0.value) * pxPerAccuracy - marker.y) < 0.6, `${runRole(marker)}: y ${marker.y} for ${marker.accuracy}`);
      assert.ok(Math.abs(x0.at + Math.log10(marker.cost / x0.value) * pxPerDecade - marker.x) < 0.6, `${runRole(marker)}: x ${marker.x} for ${marker.cost}`);
    }
    assert.ok(pxPerAccuracy < 0, 'higher accuracy is drawn higher');
    return { pxPerAccuracy };
  };

  const useTheme = async (label: RegExp, bodyClass: string): Promise<void> => {
    await editorTab(page, 'Compare Runs').click();
    await runCommand(page, 'Preferences: Color Theme', 60_000, true);
    await pickQuickPickItem(page, label, 30_000);
    await poll(`the panel in ${bodyClass}`, async () => (await frame.locator('body').getAttribute('class'))?.includes(bodyClass) ?? false, 15_000);
  };

  const backToPanel = async (points: number): Promise<void> => {
    await editorTab(page, 'Compare Runs').click();
    await poll(`${points} markers again`, async () => (await frame.locator('#cost-plot-svg .point').count()) === points, 30_000);
  };

  before(async () => {
    workbench = await openDevWorkbench({
      prepare: async (workspace) => {
        const runsDir = path.join(workspace.root, 'runs');
        for (const config of [0, 1, 2]) for (const seed of SEEDS) await writeRun(runsDir, config, seed);
      },
    });
    page = workbench.page;
    frame = webviewFrame(page);
  });

  after(() => workbench?.dispose());

  it('draws one marker per model and run where the axes put its accuracy and MACs, and rings exactly the front worked out by hand', async () => {
    await stage('plot', async () => {
      await runCommand(page, 'KD-UDA: Compare Runs');
      await editorTab(page, 'Compare Runs').waitFor({ state: 'visible', timeout: 30_000 });
      await poll('six run rows', async () => (await frame.locator('#runs-table tbody button.run-link').count()) === 6, 30_000);
      await runCommand(page, 'View: Close Primary Side Bar');
      assert.equal(await frame.locator('#cost-plot').isHidden(), true, 'no plot until asked for');
      assert.equal(await frame.locator('#cost-plot-svg .point').count(), 0, 'hidden, nothing is drawn');
      // From the keyboard: the toggle is a checkbox in the tab order.
      await frame.locator('#show-plot').focus();
      await page.keyboard.press('Space');
      await poll('12 markers', async () => (await frame.locator('#cost-plot-svg .point').count()) === 12, 10_000);

      const drawn = await markers();
      assert.equal(drawn.length, ROLES.length * CONFIGS.length * SEEDS.length, 'models × runs');
      for (const [config, { accuracy }] of CONFIGS.entries())
        for (const seed of SEEDS)
          for (const role of ROLES) {
            const marker = drawn.find((candidate) => runRole(candidate) === `${runIdOf(config, seed)} ${role}`);
            assert.ok(marker, `a marker for ${runIdOf(config, seed)} ${role}`);
            assert.equal(marker.accuracy, accuracy[role][seed]);
            assert.equal(marker.cost, costOf(config, role).macs);
            assert.equal(marker.n, 1);
          }
      assert.deepEqual(frontOf(drawn).sort(), [...FRONT].sort());
      const student = drawn.find((marker) => runRole(marker) === FRONT[1])!;
      // One tab stop among the markers, a button that says what it is; the arrow keys go by cost (then accuracy, best first).
      const stop = await tabStop();
      assert.deepEqual([stop.count, stop.role], [1, 'button']);
      await frame.locator('#cost-plot-svg .point[tabindex="0"]').focus();
      await page.keyboard.press('Home');
      assert.equal(await focusedLabel(), `run ${runIdOf(2, 0)}, student: 50.0% at 120k MACs, on the Pareto front`);
      await page.keyboard.press('ArrowRight');
      assert.equal(await focusedLabel(), `run ${runIdOf(2, 1)}, student: 46.0% at 120k MACs`);
      await page.keyboard.press('ArrowRight');
      assert.equal(await focusedLabel(), `run ${runIdOf(0, 1)}, student: 64.0% at 416.5k MACs, on the Pareto front`);
      assert.equal((await tabStop()).count, 1, 'the tab stop moved with the focus');
      await assertPlacedByAxes(drawn);
      assert.deepEqual(
        (await ticks('x')).map((tick) => tick.text),
        ['100k', '1M', '10M'],
      );
      assert.deepEqual(
        (await ticks('y')).map((tick) => tick.text),
        ['40%', '50%', '60%', '70%', '80%', '90%'],
      );
      assert.equal(await frame.locator('#plot-x-title').textContent(), 'MACs per image (log scale)');
      // The front again as a table, cheapest first, and a staircase through it.
      const frontRows = await frame
        .locator('#front-table tbody tr')
        .evaluateAll((rows: HasAttributes[]) => rows.map((row) => row.getAttribute('data-key') ?? ''));
      assert.deepEqual(
        frontRows.map((key) => `${path.basename(key.split('\n')[0])} ${key.split('\n')[1]}`),
        FRONT,
      );
      assert.equal(await frame.locator('#cost-plot-svg .front-line').count(), 1);
      assert.equal(await frame.locator('#cost-plot-svg .front-ring').count(), 3);
      assert.equal(await frame.locator('#cost-plot-svg .error-bar').count(), 0, 'one run: no error bars');
      assert.match((await frame.locator('#plot-note').textContent()) ?? '', /^12 models of 6 runs · 3 on the Pareto front$/);
      // The legend names both methods, and the hover tooltip the run, model, accuracy and cost.
      assert.deepEqual(
        await frame.locator('#plot-legend li[data-method]').evaluateAll((items: HasAttributes[]) => items.map((item) => item.getAttribute('data-method'))),
        ['kd-mtda', 'kd-stda'],
      );
      await markerAt(student).hover();
      await poll('the tooltip', async () => (await frame.locator('#plot-tooltip').isVisible()) === true, 10_000);
      const tooltip = (await frame.locator('#plot-tooltip').innerText()).replace(/\s+/g, ' ');
      assert.match(tooltip, new RegExp(`${runIdOf(0, 1)} student · kd-mtda accuracy 64\\.0% 416\\.5k MACs on the Pareto front`));
      await useTheme(/^Dark (Modern|\+)/, 'vscode-dark');
      await markerAt(student).hover();
      await screenshots(`${SHOT}-dark`);
    });
  });

  it('switches the x axis to parameters, and follows the filter', async () => {
    await stage('cost-and-filter', async () => {
      await frame.locator('#plot-cost').selectOption('params');
      await poll('the parameters axis', async () => (await frame.locator('#plot-x-title').textContent()) === 'Parameters (log scale)', 10_000);
      const drawn = await markers();
      assert.equal(drawn.length, 12);
      for (const marker of drawn) {
        const config = CONFIGS.findIndex((entry) => path.basename(marker.source).includes(`-${entry.id}-`));
        assert.equal(marker.cost, costOf(config, marker.role as Role).params, runRole(marker));
      }
      assert.deepEqual(frontOf(drawn).sort(), [...FRONT].sort(), 'the same front: the costs rank the models alike');
      await assertPlacedByAxes(drawn);

      await frame.locator('#filter').fill('method.name:kd-mtda');
      await poll('8 markers: the KD-MTDA runs', async () => (await frame.locator('#cost-plot-svg .point').count()) === 8, 10_000);
      assert.deepEqual(frontOf(await markers()).sort(), [...FRONT_KD_MTDA].sort());
      await frame.locator('#filter').fill('');
      await poll('12 markers again', async () => (await frame.locator('#cost-plot-svg .point').count()) === 12, 10_000);
    });
  });

  it('opens a run’s results with a click on its marker, and with Enter on a marker reached by the arrow keys', async () => {
    await stage('open', async () => {
      const teacher = (await markers()).find((marker) => runRole(marker) === FRONT[2])!;
      await markerAt(teacher).click();
      await editorTab(page, `Results: ${runIdOf(1, 0)}`).waitFor({ state: 'visible', timeout: 30_000 });
      // The panel was hidden behind the results: its plot and x axis come back as they were.
      await backToPanel(12);
      assert.equal(await frame.locator('#plot-cost').inputValue(), 'params');
      // One marker holds the tab stop; Home goes to the cheapest model (r seed 0's student, the more accurate of the two).
      assert.equal(await frame.locator('#cost-plot-svg .point[tabindex="0"]').count(), 1);
      await frame.locator('#cost-plot-svg .point[tabindex="0"]').focus();
      await page.keyboard.press('End');
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowLeft');
      const focused = await frame.locator('#cost-plot-svg .point:focus').getAttribute('data-key');
      assert.equal(focused, `${path.join(workbench.workspace.root, 'runs', runIdOf(2, 0))}\nstudent`);
      await page.keyboard.press('Enter');
      await editorTab(page, `Results: ${runIdOf(2, 0)}`).waitFor({ state: 'visible', timeout: 30_000 });
      await backToPanel(12);
    });
  });

  it('grouped by all but seed, draws one marker per configuration and model whose error bar spans ± the sample std', async () => {
    await stage('grouped', async () => {
      await frame.locator('#plot-cost').selectOption('macs');
      await frame.locator('#group-by-seed').check();
      await poll('6 markers: 3 configurations × 2 models', async () => (await frame.locator('#cost-plot-svg .point').count()) === 6, 10_000);
      const drawn = await markers();
      const { pxPerAccuracy } = await assertPlacedByAxes(drawn);
      const bars = await frame
        .locator('#cost-plot-svg .error-bar')
        .evaluateAll((elements: HasAttributes[]) =>
          elements.map((element) => ({ key: element.getAttribute('data-key') ?? '', d: element.getAttribute('d') ?? '' })),
        );
      assert.equal(bars.length, 6, 'every configuration has two runs: every marker has a bar');
      /** A configuration's key lists its fields: the method and the student's width tell the three apart. */
      const configOf = (marker: Marker): number => {
        const fields = Object.fromEntries(JSON.parse(marker.source) as [string, unknown][]);
        return CONFIGS.findIndex((entry) => entry.method === fields['method.name'] && entry.studentWidth === fields['student.width']);
      };
      for (const marker of drawn) {
        const config = configOf(marker);
        assert.ok(config >= 0, marker.source);
        const name = `${CONFIGS[config].id} ${marker.role}`;
        const values = CONFIGS[config].accuracy[marker.role as Role];
        const mean = (values[0] + values[1]) / 2;
        const std = sampleStd([...values]);
        assert.ok(Math.abs(marker.accuracy - mean) < 1e-12, `${name}: mean`);
        assert.ok(Math.abs(marker.std! - std) < 1e-12, `${name}: std`);
        assert.equal(marker.n, 2);
        // The bar: M x top V bottom, its extent read back through the y axis's ticks.
        const bar = bars.find((candidate) => candidate.key === marker.key);
        const [, x, top, bottom] = /^M([-\d.]+) ([-\d.]+)V([-\d.]+)/.exec(bar?.d ?? '') ?? [];
        assert.ok(bar && Math.abs(Number(x) - marker.x) < 0.01, `${name}: a bar through the marker`);
        assert.ok(Math.abs((Number(top) - marker.y) / pxPerAccuracy - std) < 0.002, `${name}: + std`);
        assert.ok(Math.abs((Number(bottom) - marker.y) / pxPerAccuracy + std) < 0.002, `${name}: − std`);
      }
      assert.deepEqual(
        drawn
          .filter((marker) => marker.front)
          .map((marker) => `${CONFIGS[configOf(marker)].id} ${marker.role}`)
          .sort(),
        [...GROUPED_FRONT].sort(),
      );
      assert.match((await frame.locator('#plot-note').textContent()) ?? '', /^6 models of 3 configurations · 3 on the Pareto front$/);
      // The cheapest configuration's student is the first in key order, and says mean ± std (n).
      await frame.locator('#cost-plot-svg .point[tabindex="0"]').focus();
      await page.keyboard.press('Home');
      assert.equal(await focusedLabel(), 'pareto-r (2 runs), student: 48.0 ± 2.8% (n = 2) at 120k MACs, on the Pareto front');
      // A configuration's marker opens its first run as shown: seed 1, the newer.
      const p = drawn.find((marker) => configOf(marker) === 0 && marker.role === 'student')!;
      await markerAt(p).click();
      await editorTab(page, `Results: ${runIdOf(0, 1)}`).waitFor({ state: 'visible', timeout: 30_000 });
      await backToPanel(6);
      await screenshots(`${SHOT}-grouped-dark`);
    });
  });

  it('reads in the light theme too, with nothing refused by the CSP', async () => {
    await stage('light', async () => {
      await useTheme(/^Light (Modern|\+)/, 'vscode-light');
      await poll('6 markers', async () => (await frame.locator('#cost-plot-svg .point').count()) === 6, 10_000);
      await screenshots(`${SHOT}-grouped-light`);
      await frame.locator('#group-by-seed').uncheck();
      await poll('12 markers', async () => (await frame.locator('#cost-plot-svg .point').count()) === 12, 10_000);
      await screenshots(`${SHOT}-light`);
      const violations = workbench.browser.consoleLines.filter((line) => /Content Security Policy|Refused to (load|execute|apply)/i.test(line));
      assert.deepEqual(violations, [], 'the panel loads nothing that its CSP refuses');
    });
  });
});
