/**
 * End to end: the Checkpoint Diff panel's Domain gap tab on a version-2 report written into a run
 * folder (the fixture's representations: two targets and the source hold-out, 3 × 4 CKA), opened
 * from the palette with KD-UDA: Compare Checkpoints, which reuses a report newer than both
 * checkpoints. Each scatter group holds as many points as the report drew from its domain (and,
 * coloured by class, from each class); the A-distance table and the CKA heatmap show the report's
 * numbers; switching PCA -> UMAP from the keyboard mirrors the points as the fixture's UMAP is
 * PCA mirrored; the choices survive a window reload; both themes are drawn with nothing refused by
 * the CSP; and a version-1 report offers to compute it again, which runs the command for the
 * report's own checkpoints. Screenshots: test-results/e2e-checkpoint-diff-figures-*.png.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { diffReportFile } from '../../src/checkpointDiff/runCheckpoints';
import type { CheckpointDiffReport } from '../../src/checkpointDiff/reportFormat';
import { CATEGORICAL_COLOURS, SCATTER_BOX } from '../../webview-ui/checkpointDiff/figureScales';
import { figuresDiffReport, reportSide } from '../fixtures/checkpointDiffReport';
import { writeRunFolder } from '../fixtures/experiments';
import { checkpointMeta } from '../fixtures/runFolderFiles';
import { editorTab, pickQuickPickItem, runCommand, screenshot, waitForWorkbench, webviewFrame, type HasAttributes } from '../harness/browser';
import { openDevWorkbench, type DevWorkbench } from '../harness/devWorkbench';
import { poll } from '../harness/poll';
import { runStage } from '../harness/stage';

const SHOT = 'e2e-checkpoint-diff-figures';
const RUN_ID = '20260301-090000-figures';
const PANEL_TITLE = 'Diff: student-epoch-1 ↔ teacher-epoch-1';
/** The ends of the scatter plot's x range in px, summed: mirrored data lands at that minus x. */
const PLOT_LEFT_PLUS_RIGHT = SCATTER_BOX.left + (SCATTER_BOX.width - SCATTER_BOX.right);

/** A checkpoint folder the command accepts (meta.json, model.json, weights.bin); never loaded, as the report is reused. */
async function writeCheckpoint(dir: string, role: string): Promise<void> {
  await writeRunFolder(dir, {
    'meta.json': checkpointMeta({ role, architecture: 'lenet5', epoch: 1, stepInEpoch: 2, globalStep: 2, classNames: ['cat', 'dog'] }),
    'model.json': { format: 'layers-model', modelTopology: {}, weightsManifest: [] },
    'weights.bin': '',
  });
}

/** The points of a path drawn as zero-length segments (circles and squares), in order. */
function capPoints(d: string): [number, number][] {
  return [...d.matchAll(/M(-?[\d.]+) (-?[\d.]+)h0/g)].map((match) => [Number(match[1]), Number(match[2])]);
}

const subpaths = (d: string): number => d.split('M').length - 1;

describe('Checkpoint Diff panel: the Domain gap tab (code-server + Chromium)', { timeout: 400_000 }, () => {
  let workbench: DevWorkbench;
  let page: Page;
  let frame: FrameLocator;
  let runDir: string;
  let student: string;
  let teacher: string;
  let reportFile: string;
  let report: CheckpointDiffReport;

  const stage = (name: string, body: () => Promise<void>) => runStage(() => workbench, SHOT, name, body);

  /** Every line the extension host wrote to the "KD-UDA Lab" log channel so far. */
  async function logLines(): Promise<string[]> {
    const files = (await readdir(path.join(workbench.server.userDataDir, 'logs'), { recursive: true })).filter((file) => file.endsWith('KD-UDA Lab.log'));
    const texts = await Promise.all(files.map((file) => readFile(path.join(workbench.server.userDataDir, 'logs', file), 'utf8')));
    return texts.join('\n').split('\n');
  }

  /** Each point group of a side's plot: its data attributes and path. */
  const groupsOf = (side: 'a' | 'b') =>
    frame.locator(`#scatter-${side} path.point-group`).evaluateAll((paths: HasAttributes[]) =>
      paths.map((element) => ({
        domain: element.getAttribute('data-domain'),
        className: element.getAttribute('data-class'),
        kind: element.getAttribute('data-kind'),
        count: Number(element.getAttribute('data-count')),
        d: element.getAttribute('d') ?? '',
        stroke: element.getAttribute('stroke'),
        fill: element.getAttribute('fill'),
      })),
    );

  // Runs in the webview; the tests are compiled without DOM types.
  const focusedId = () =>
    frame.locator('body').evaluate(() => (globalThis as unknown as { document: { activeElement: { id?: string } | null } }).document.activeElement?.id ?? '');

  const scrollToTop = () => frame.locator('body').evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));

  const useTheme = async (label: RegExp, bodyClass: string): Promise<void> => {
    await editorTab(page, PANEL_TITLE).click();
    await runCommand(page, 'Preferences: Color Theme', 60_000, true);
    await pickQuickPickItem(page, label, 30_000);
    await poll(`the panel in ${bodyClass}`, async () => (await frame.locator('body').getAttribute('class'))?.includes(bodyClass) ?? false, 15_000);
  };

  before(async () => {
    workbench = await openDevWorkbench({
      prepare: async (workspace) => {
        runDir = path.join(workspace.root, 'runs', RUN_ID);
        await writeRunFolder(runDir, { 'status.json': { version: 1, state: 'done', startedAt: '2026-03-01T09:00:00.000Z' } });
        student = path.join(runDir, 'checkpoints', 'student', 'epoch-1');
        teacher = path.join(runDir, 'checkpoints', 'teacher', 'epoch-1');
        await writeCheckpoint(student, 'student');
        await writeCheckpoint(teacher, 'teacher');
        reportFile = diffReportFile(runDir, student, teacher);
        report = figuresDiffReport(reportSide('student', student), reportSide('teacher', teacher));
        await writeRunFolder(path.dirname(reportFile), { [path.basename(reportFile)]: report });
      },
    });
    page = workbench.page;
    frame = webviewFrame(page);
  });

  after(() => workbench?.dispose());

  it('draws every sampled image of each domain in both plots, and the report’s A-distances and CKA', async () => {
    await stage('draw', async () => {
      await runCommand(page, 'KD-UDA: Compare Checkpoints…');
      await pickQuickPickItem(page, 'figures');
      await pickQuickPickItem(page, 'student · epoch 1');
      await pickQuickPickItem(page, 'teacher · epoch 1');
      await editorTab(page, PANEL_TITLE).waitFor({ state: 'visible', timeout: 60_000 });
      await runCommand(page, 'View: Close Primary Side Bar');
      await useTheme(/^Dark (Modern|\+)/, 'vscode-dark');
      await frame.locator('vscode-panel-tab#tab-features').click();
      await frame.locator('#scatter-a svg').waitFor({ state: 'visible', timeout: 30_000 });
      const figures = report.representations!;

      for (const side of ['a', 'b'] as const) {
        const groups = await groupsOf(side);
        assert.deepEqual(
          groups.map((group) => [group.domain, group.count, subpaths(group.d)]),
          // The source hold-out first, so the targets are drawn over it.
          [figures.sample.domains[2], figures.sample.domains[0], figures.sample.domains[1]].map((domain) => [domain.name, domain.drawn, domain.drawn]),
          `side ${side}: one group per domain, each point drawn`,
        );
        assert.equal(await frame.locator(`#scatter-${side} svg`).getAttribute('data-method'), 'pca');
      }
      const axisTitles = await frame.locator('#scatter-a text.axis-title').allTextContents();
      assert.deepEqual(axisTitles, ['PC1 (42.0% of variance)', 'PC2 (17.0% of variance)']);
      assert.match((await frame.locator('#scatter-b figcaption').textContent()) ?? '', /teacher epoch-1 · global_average_pooling2d \(128 features\)/);
      assert.deepEqual(
        (await frame.locator('#scatter-legend li').allTextContents()).map((text) => text.trim()),
        ['source hold-out: 14 of 30 images', 'sketches (target): 12 of 40 images', 'paintings (target): 10 of 10 images'],
      );

      for (const side of ['a', 'b'] as const)
        for (const row of figures[side].aDistance) {
          const cell = frame.locator(`#a-distance-table td[data-a-distance="${side}"][data-target="${row.target}"]`);
          assert.equal((await cell.textContent())?.trim(), row.aDistance.toFixed(2), `${side} ${row.target}`);
          const error = frame.locator(`#a-distance-table td[data-error="${side}"][data-target="${row.target}"]`);
          assert.equal((await error.textContent())?.trim(), `${(100 * row.error).toFixed(1)}%`);
        }
      const sizes = figures.a.aDistance[0];
      assert.equal((await frame.locator('#a-distance-table td[data-sizes="sketches"]').textContent())?.trim(), `${sizes.trainImages} / ${sizes.testImages}`);

      const { layersA, layersB, cka, images } = figures.similarity;
      const cells = await frame
        .locator('#cka-heatmap rect.cka-cell')
        .evaluateAll((rects: HasAttributes[]) =>
          rects.map((rect) => [rect.getAttribute('data-row'), rect.getAttribute('data-column'), Number(rect.getAttribute('data-cka'))]),
        );
      assert.equal(cells.length, layersA.length * layersB.length);
      assert.deepEqual(
        cells,
        layersA.flatMap((rowLayer, i) => layersB.map((columnLayer, j) => [rowLayer, columnLayer, cka[i][j]])),
      );
      assert.equal(
        await frame.locator('#cka-heatmap rect.cka-cell[data-row="pool1"][data-column="conv2"] title').textContent(),
        `A pool1 × B conv2: CKA ${cka[1][1].toFixed(3)}`,
      );
      assert.equal(
        (await frame.locator('#cka-sample').textContent())?.trim(),
        `Computed on ${images} images of the sample drawn for the scatter plots (at most 500, spread over the domains).`,
      );
      assert.equal((await frame.locator('#cka-table td[data-row="dense1"][data-column="pool2"]').textContent())?.trim(), cka[2][2].toFixed(3));
      assert.deepEqual(
        (await frame.locator('#domain-summary td[data-drawn]').allTextContents()).map((text) => Number(text)),
        figures.sample.domains.map((domain) => domain.drawn),
      );
      await screenshot(page, `${SHOT}-dark`);
      await frame.locator('#cka-figure').scrollIntoViewIfNeeded();
      await screenshot(page, `${SHOT}-dark-cka`);
      await scrollToTop();
    });
  });

  it('reaches the choices from the keyboard: colour by class, then UMAP, which mirrors the fixture’s PCA points', async () => {
    await stage('keyboard', async () => {
      const figures = report.representations!;
      // From the tab strip, Tab goes into the tab's content: the colouring's checked radio button first.
      await frame.locator('vscode-panel-tab#tab-features').focus();
      await page.keyboard.press('Tab');
      await poll('the colouring radio focused', async () => (await focusedId()) === 'colour-by-domain', 5_000);
      await page.keyboard.press('ArrowRight');
      await poll('points coloured by class', async () => (await groupsOf('a')).every((group) => group.className !== null), 10_000);
      assert.equal(await focusedId(), 'colour-by-class', 'focus stays on the radio button just chosen');
      for (const side of ['a', 'b'] as const) {
        const groups = await groupsOf(side);
        for (const [k, name] of report.classNames.entries())
          for (const kind of ['source-holdout', 'target']) {
            const expected = figures.sample.label.filter((label, i) => label === k && figures.sample.domains[figures.sample.domain[i]].kind === kind).length;
            const group = groups.find((entry) => entry.className === name && entry.kind === kind);
            assert.equal(group?.count ?? 0, expected, `${side}: ${name} in ${kind}`);
            assert.equal(group ? capPoints(group.d).length : 0, expected, `${side}: ${name} in ${kind}, drawn`);
          }
      }
      const pca = await groupsOf('a');

      await page.keyboard.press('Tab');
      await poll('the embedding radio focused', async () => (await focusedId()) === 'embedding-pca', 5_000);
      await page.keyboard.press('ArrowRight');
      await poll('the UMAP embedding', async () => (await frame.locator('#scatter-a svg').getAttribute('data-method')) === 'umap', 10_000);
      assert.deepEqual(await frame.locator('#scatter-a text.axis-title').allTextContents(), ['UMAP 1', 'UMAP 2']);
      const umap = await groupsOf('a');
      assert.equal(umap.length, pca.length);
      umap.forEach((group, g) => {
        const [now, before] = [capPoints(group.d), capPoints(pca[g].d)];
        assert.equal(now.length, before.length);
        now.forEach(([x, y], i) => {
          assert.ok(Math.abs(x - (PLOT_LEFT_PLUS_RIGHT - before[i][0])) <= 0.15, `point ${i} of ${group.className}: x ${x} mirrors ${before[i][0]}`);
          assert.ok(Math.abs(y - before[i][1]) <= 0.15, `point ${i}: y kept`);
        });
      });
      assert.equal(await focusedId(), 'embedding-umap');
    });
  });

  it('keeps the tab, the colouring and the method across a window reload, and follows the light theme, with nothing refused by the CSP', async () => {
    await stage('reload-light', async () => {
      const darkStroke = (await groupsOf('a'))[0].stroke;
      await runCommand(page, 'Developer: Reload Window');
      await waitForWorkbench(page);
      await editorTab(page, PANEL_TITLE).waitFor({ state: 'visible', timeout: 30_000 });
      await editorTab(page, PANEL_TITLE).click();
      await poll(
        'the Domain gap tab, by class, UMAP',
        async () =>
          (await frame.locator('vscode-panels').getAttribute('activeid')) === 'tab-features' &&
          (await frame.locator('#scatter-a svg').getAttribute('data-method')) === 'umap' &&
          (await frame.locator('#colour-by-class').isChecked()),
        30_000,
      );
      assert.equal(await frame.locator('#embedding-umap').isChecked(), true);
      assert.ok(CATEGORICAL_COLOURS.dark.includes(darkStroke ?? ''), `dark palette: ${darkStroke}`);

      await useTheme(/^Light (Modern|\+)/, 'vscode-light');
      await poll('the light palette', async () => CATEGORICAL_COLOURS.light.includes((await groupsOf('a'))[0].stroke ?? ''), 10_000);
      assert.equal(
        (await groupsOf('a'))[0].stroke,
        CATEGORICAL_COLOURS.light[CATEGORICAL_COLOURS.dark.indexOf(darkStroke!)],
        'the same group, its light colour',
      );
      await screenshot(page, `${SHOT}-light`);
      await frame.locator('#cka-figure').scrollIntoViewIfNeeded();
      await screenshot(page, `${SHOT}-light-cka`);
      await scrollToTop();
      await useTheme(/^Dark (Modern|\+)/, 'vscode-dark');

      const violations = workbench.browser.consoleLines.filter((line) => /Content Security Policy|Refused to (load|execute|apply)/i.test(line));
      assert.deepEqual(violations, [], 'the panel loads nothing that its CSP refuses');
    });
  });

  it('says a report from before the figures lacks them, and its button runs Compare Checkpoints again for the report’s own checkpoints', async () => {
    await stage('version-1', async () => {
      const { representations: _dropped, ...older } = report;
      await writeFile(reportFile, JSON.stringify({ ...older, version: 1 }));
      // Hidden behind another editor and shown again, the panel reads its report afresh.
      await runCommand(page, 'File: New Untitled Text File');
      await editorTab(page, PANEL_TITLE).click();
      await frame.locator('#no-figures').waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(
        (await frame.locator('#no-figures').textContent()) ?? '',
        /computed before KD-UDA Lab drew the domain-gap figures \(report format version 1\)/,
      );
      await screenshot(page, `${SHOT}-version-1`);
      await frame.locator('#recompute').focus();
      await page.keyboard.press('Enter');
      await poll(
        'the status line',
        async () => ((await frame.locator('#recompute-status').textContent()) ?? '').startsWith('Asked KD-UDA: Compare Checkpoints'),
        10_000,
      );
      const asked = await poll(
        'the panel to run the command for the report’s checkpoints',
        async () => (await logLines()).find((line) => line.includes(`computing the diff again for ${student} (A) and ${teacher} (B)`)),
        15_000,
      );
      assert.doesNotMatch(asked, /, into /, 'the new report replaces this one');
      // The command found the report without figures not reusable and started the trainer's diff for the same pair.
      await poll(
        'the trainer’s diff started',
        async () => (await logLines()).some((line) => line.includes(`kd-uda diff ${student} ${teacher} --out ${reportFile}`)),
        15_000,
      );
    });
  });
});
