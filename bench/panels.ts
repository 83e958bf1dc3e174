/**
 * Panel speed in a real workbench (code-server + Chromium), on one runs folder of 1,000 run folders:
 *
 * - Results panel, on a synthetic run of 200 epochs x 10 targets x 3 models: from picking the run
 *   in "KD-UDA: Open Results" to the table painted, split into phases (workbench creating the
 *   webview, bundle fetched and run, its imports evaluated, `ready` -> snapshot, DOM built, painted),
 *   then to the curves drawn, and the last -> max switch.
 * - Compare Runs panel: from "KD-UDA: Compare Runs" leaving the palette to 1,000 rows painted (first
 *   open reads every folder; later ones re-read none; after a window reload the records come from
 *   the cache file), with the same phases; then a header click (sort) and typing a filter, each to
 *   the reordered or filtered rows painted.
 * - Compare Runs' accuracy-versus-cost plot over the same 1,000 runs (every model: ~5,000 markers):
 *   "Plot accuracy vs cost" switched on to the plot painted, a hover to its tooltip painted, a sort
 *   with the plot shown, a click on a marker to that run's Results panel painted, and back to Compare
 *   Runs (its webview rebuilt, the plot shown from its saved state) to the plot painted.
 *
 * Phase times come from the webview's own performance marks (webview-ui/shared/phases.ts) on the
 * wall clock this process shares with the browser. "In page" times run the handler inside the
 * webview and stop at the next frame; "via harness" times add Playwright's input and 10 ms polling.
 *
 *   node esbuild.mjs --tests && node out/bench/panels.js [repeats] [--only=pareto]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { launchBrowser, openWorkbench, pickQuickPickItem, quickPickIsOpen, runCommand, waitForWorkbench, webviewFrame } from '../test/harness/browser';
import { poll } from '../test/harness/poll';
import { ensureCodeServer, startCodeServer } from '../test/harness/codeServer';
import { REPO_ROOT } from '../test/harness/paths';
import { createTestWorkspace } from '../test/harness/workspace';
import { COMPARED_RUNS, EPOCHS, RESULTS_RUN_ID, ROLES, TARGETS, writeComparedRun, writeResultsRun } from './syntheticRuns';
import { diffReportFile } from '../src/checkpointDiff/runCheckpoints';
import { figuresDiffReport, reportSide } from '../test/fixtures/checkpointDiffReport';
import { checkpointMeta } from '../test/fixtures/runFolderFiles';

/** Wall-clock times (ms since the epoch) of the webview's load, from its performance timeline. */
interface PagePhases {
  /** The content document's time origin: the workbench has created the webview's frame. */
  created: number;
  /** The service worker that serves webview documents and resources started (or was found running). */
  workerStarted?: number;
  /** The panel's HTML is in and its first stylesheet or script is requested. */
  resourcesRequested?: number;
  bundleFetched?: number;
  bundle?: number;
  script?: number;
  ready?: number;
  snapshot?: number;
  rendered?: number;
  /** The frame showing the rendered DOM was painted. */
  painted?: number;
  /** Compare Runs' cost plot drawn (its DOM built; painted with the rest). */
  plotDrawn?: number;
}

async function pagePhases(frame: FrameLocator, bundleName: string): Promise<PagePhases> {
  return frame.locator('body').evaluate(async (_body, bundle) => {
    // `painted` is marked a task after the frame: the harness may see the rows first.
    for (let waited = 0; performance.getEntriesByName('kdUda:painted').length === 0 && waited < 5000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const origin = performance.timeOrigin;
    const at = (name: string) => {
      const mark = performance.getEntriesByName(`kdUda:${name}`)[0];
      return mark ? origin + mark.startTime : undefined;
    };
    // The bench is compiled without DOM types: the timing entries' fields, as Chromium fills them.
    const entries = performance.getEntries();
    const navigation = entries.find((entry) => (entry.entryType as string) === 'navigation') as unknown as { workerStart: number } | undefined;
    const resources = entries.filter((entry) => entry.entryType === 'resource') as unknown as { name: string; startTime: number; responseEnd: number }[];
    const fetched = resources.find((entry) => entry.name.includes(`/${bundle}`));
    return {
      created: origin,
      workerStarted: navigation ? origin + navigation.workerStart : undefined,
      resourcesRequested: resources.length ? origin + Math.min(...resources.map((entry) => entry.startTime)) : undefined,
      bundleFetched: fetched ? origin + fetched.responseEnd : undefined,
      bundle: at('bundle'),
      script: at('script'),
      ready: at('ready'),
      snapshot: at('snapshot'),
      rendered: at('rendered'),
      painted: at('painted'),
      plotDrawn: at('plot-drawn'),
    };
  }, bundleName);
}

/** The phases from `from` (the command) to the first paint, in ms, and when the harness saw the rows. */
function phaseCells(from: number, phases: PagePhases, seen: number): string[] {
  const span = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '?' : (b - a).toFixed(0));
  return [
    span(from, phases.created),
    span(phases.created, phases.workerStarted),
    span(phases.workerStarted, phases.resourcesRequested),
    span(phases.resourcesRequested, phases.bundleFetched),
    span(phases.bundleFetched, phases.bundle),
    span(phases.bundle, phases.script),
    span(phases.ready, phases.snapshot),
    span(phases.snapshot, phases.rendered),
    span(phases.rendered, phases.painted),
    span(from, phases.painted),
    (seen - from).toFixed(0),
  ];
}

const PHASE_HEADER =
  '| webview created | service worker started | HTML in | bundle fetched | bundle parsed | imports run | ready -> snapshot | DOM built | painted | first paint | harness saw it |';
const PHASES_NOTE =
  "\nPhases: the host creating the panel and the workbench its webview frame (to the content document's time origin); the service worker that serves webview documents and resources started (about 0 when one is running, as for the first webview of a window); the panel's HTML written and its first resource requested; the bundle fetched; parsed until it runs; its imports (the toolkit) evaluated; `ready` posted until the snapshot arrives (the host reads the run folder(s), then the message crosses to the browser); the DOM built; painted (a task after the next animation frame); first paint: the sum, from the command; harness saw it: when the harness's 10 ms poll found the rows (Playwright round trips included).";

const PHASE_RULE = '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';

/** Runs `act` inside the webview: ms until its handler returns (the panel's work) and until the next frame is painted. */
async function inPage(frame: FrameLocator, selector: string, act: 'click' | 'hover' | { type: string }): Promise<{ handler: number; painted: number }> {
  return frame.locator(selector).evaluate(async (element, action) => {
    // This runs in the webview; the bench is compiled without DOM types.
    const page = globalThis as unknown as { requestAnimationFrame(callback: () => void): number };
    const target = element as unknown as { click(): void; value: string; dispatchEvent(event: Event): boolean };
    const started = performance.now();
    if (action === 'click') target.click();
    else if (action === 'hover') target.dispatchEvent(new Event('pointerover', { bubbles: true }));
    else {
      target.value = action.type;
      target.dispatchEvent(new Event('input', { bubbles: true }));
    }
    const handler = performance.now() - started;
    // The handler rendered synchronously; its frame is painted by a task queued from that frame (as markPaintedAfterThisFrame does).
    await new Promise<void>((resolve) => page.requestAnimationFrame(() => setTimeout(resolve)));
    return { handler, painted: performance.now() - started };
  }, act);
}

const timing = ({ handler, painted }: { handler: number; painted: number }): string => `${handler.toFixed(0)} / ${painted.toFixed(0)}`;

async function benchResults(page: Page, repeats: number): Promise<string[]> {
  const rows: string[] = [];
  for (let i = 0; i < repeats; i++) {
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'KD-UDA: Open Results');
    await poll('the run picker', async () => quickPickIsOpen(page), 10_000, 10);
    // From choosing the run: the palette's typing is the harness's, not the panel's, time.
    // 1,000 runs: narrow the list to the one, whose row is otherwise never rendered.
    await page.locator('.quick-input-widget input.input').fill(RESULTS_RUN_ID);
    const started = Date.now();
    await pickQuickPickItem(page, RESULTS_RUN_ID);
    const frame = webviewFrame(page);
    await poll('the table', async () => (await frame.locator('#results-table td[data-role="student"][data-target]').count()) === TARGETS.length, 60_000, 10);
    const seen = Date.now();
    const phases = await pagePhases(frame, 'results.js');
    await poll('the curves', async () => (await frame.locator('.chart canvas').count()) === 2, 60_000, 10);
    const curves = Date.now() - started;
    const switchStarted = Date.now();
    await frame.locator('label[for="metric-max"]').click();
    await poll('the max view', async () => ((await frame.locator('#results-table caption').textContent()) ?? '').includes('max over epochs'), 30_000, 10);
    const switched = Date.now() - switchStarted;
    rows.push(`| ${i + 1} | ${phaseCells(started, phases, seen).join(' | ')} | ${curves} | ${switched} |`);
  }
  return rows;
}

async function benchCompareRuns(page: Page, repeats: number): Promise<{ open: string[]; interact: string[] }> {
  const open: string[] = [];
  const interact: string[] = [];
  const frame = webviewFrame(page);
  const firstRun = async () =>
    (
      (await frame
        .locator('#runs-table tbody button.run-link')
        .first()
        .textContent()
        .catch(() => '')) ?? ''
    ).trim();
  const openPanel = async (label: string): Promise<void> => {
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'KD-UDA: Compare Runs');
    const started = Date.now();
    await poll(
      '1,000 rows',
      async () =>
        (
          (await frame
            .locator('#summary')
            .textContent()
            .catch(() => '')) ?? ''
        ).startsWith(`${COMPARED_RUNS.toLocaleString('en-US')} of`) && (await frame.locator('#runs-table tbody button.run-link').count()) > 0,
      120_000,
      10,
    );
    const seen = Date.now();
    const phases = await pagePhases(frame, 'compareRuns.js');
    open.push(`| ${label} | ${phaseCells(started, phases, seen).join(' | ')} |`);
  };
  for (let i = 0; i < repeats; i++) {
    await openPanel(i === 0 ? '1 (reads every folder)' : String(i + 1));
    // No filter at the start of a round; the sort stays, as it does for a user.
    await frame.locator('#filter').fill('');
    // The student's mean target accuracy is among the columns the panel opens on (its per-target columns are chosen, not shown).
    const header = '#runs-table thead button.sort[data-column="acc.student.mean"]';
    await frame.locator(header).waitFor({ state: 'visible', timeout: 10_000 });
    const sortInPage = await inPage(frame, header, 'click');
    const sortInPageAgain = await inPage(frame, header, 'click');
    const before = await firstRun();
    const sortStarted = Date.now();
    await frame.locator(header).click();
    await poll('the rows reordered', async () => (await firstRun()) !== before, 10_000, 10);
    const sortViaHarness = Date.now() - sortStarted;

    const filterInPage = await inPage(frame, '#filter', { type: 'method.name:mt-mtda' });
    await frame.locator('#filter').fill('');
    const filterStarted = Date.now();
    await frame.locator('#filter').fill('temperature:8 state:done');
    await poll(
      'the filtered rows',
      async () =>
        /^\d+ of 1,000/.test((await frame.locator('#summary').textContent()) ?? '') &&
        !((await frame.locator('#summary').textContent()) ?? '').startsWith('1,000 of'),
      10_000,
      10,
    );
    const filterViaHarness = Date.now() - filterStarted;
    const shown = ((await frame.locator('#summary').textContent()) ?? '').split(' ')[0];
    interact.push(
      `| ${i + 1} | ${timing(sortInPage)} | ${timing(sortInPageAgain)} | ${sortViaHarness} | ${timing(filterInPage)} | ${filterViaHarness} (${shown} rows) |`,
    );
    await frame.locator('#filter').fill('');
  }
  // A new extension host: the records come from the cache file in the workspace storage.
  await runCommand(page, 'View: Close All Editors');
  await runCommand(page, 'Developer: Reload Window');
  await waitForWorkbench(page);
  await openPanel('after a window reload');
  return { open, interact };
}

// ---- Checkpoint Diff panel, Domain gap tab (its own function; main() only calls it) ----

const DIFF_RUN_ID = '20261128-000001-diff-bench';
const DIFF_DOMAINS = ['mnist-photo', 'svhn', 'usps'];
const DIFF_POINTS_PER_DOMAIN = 2000;
const DIFF_LAYERS = 20;

/** A run folder with two checkpoint folders (never loaded) and a version-2 report of them: 4 domains x 2,000 points, 10 classes, 20 x 20 CKA. */
function writeDiffRun(runsDir: string): void {
  const runDir = path.join(runsDir, DIFF_RUN_ID);
  const write = (file: string, content: unknown) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  };
  write(path.join(runDir, 'status.json'), { version: 1, state: 'done', startedAt: '2026-11-28T00:00:01.000Z' });
  const [student, teacher] = ['student', 'teacher'].map((role) => path.join(runDir, 'checkpoints', role, 'epoch-1'));
  for (const [dir, role] of [
    [student, 'student'],
    [teacher, 'teacher'],
  ]) {
    write(path.join(dir, 'meta.json'), checkpointMeta({ role, architecture: 'lenet5', epoch: 1, stepInEpoch: 1, globalStep: 1 }));
    write(path.join(dir, 'model.json'), {});
    write(path.join(dir, 'weights.bin'), '');
  }
  const domains = [...DIFF_DOMAINS, 'source-holdout'].map((name) => ({
    name,
    kind: name === 'source-holdout' ? ('source-holdout' as const) : ('target' as const),
    drawn: DIFF_POINTS_PER_DOMAIN,
    of: 5 * DIFF_POINTS_PER_DOMAIN,
  }));
  const layers = (prefix: string) => Array.from({ length: DIFF_LAYERS }, (_, i) => `${prefix}block${Math.floor(i / 4) + 1}_conv${(i % 4) + 1}`);
  const report = figuresDiffReport(reportSide('student', student), reportSide('teacher', teacher), {
    domains,
    classNames: Array.from({ length: 10 }, (_, k) => String(k)),
    layersA: layers('s_'),
    layersB: layers('t_'),
  });
  // Written after the checkpoints, so Compare Checkpoints reuses it rather than evaluate.
  write(diffReportFile(runDir, student, teacher), report);
}

/**
 * The Checkpoint Diff panel on that report, `repeats` times: from picking checkpoint B in
 * "KD-UDA: Compare Checkpoints" (the report is reused) to the panel painted, with the phases (the
 * Domain gap tab's DOM is built with the others); the Domain gap tab's first paint from its tab
 * click; colour by domain -> class and back, in page. Then once after a window reload, which
 * restores the panel on the Domain gap tab: its phases from the webview's creation.
 */
async function benchCheckpointDiff(page: Page, runsDir: string, repeats: number): Promise<void> {
  writeDiffRun(runsDir);
  const frame = webviewFrame(page);
  const points = 4 * DIFF_POINTS_PER_DOMAIN;
  const scatterDrawn = async () =>
    (await frame.locator('#scatter-a path.point-group').count()) === 4 && (await frame.locator('#scatter-b path.point-group').count()) === 4;
  const rows: string[] = [];
  for (let i = 0; i < repeats; i++) {
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'KD-UDA: Compare Checkpoints…');
    await poll('the run picker', async () => quickPickIsOpen(page), 10_000, 10);
    await page.locator('.quick-input-widget input.input').fill(DIFF_RUN_ID);
    await pickQuickPickItem(page, DIFF_RUN_ID);
    await pickQuickPickItem(page, 'student · epoch-1');
    const started = Date.now();
    await pickQuickPickItem(page, 'teacher · epoch-1');
    await poll('the Domain gap tab built', async () => (await frame.locator('#scatter-a path.point-group').count()) === 4, 60_000, 10);
    const seen = Date.now();
    const phases = await pagePhases(frame, 'checkpointDiff.js');
    const tab = await inPage(frame, 'vscode-panel-tab#tab-features', 'click');
    const toClass = await inPage(frame, '#colour-by-class', 'click');
    await poll('coloured by class', async () => (await frame.locator('#scatter-a path.point-group[data-class]').count()) > 0, 10_000, 10);
    const toDomain = await inPage(frame, '#colour-by-domain', 'click');
    await poll('coloured by domain', scatterDrawn, 10_000, 10);
    rows.push(`| ${i + 1} | ${phaseCells(started, phases, seen).join(' | ')} | ${timing(tab)} | ${timing(toClass)} | ${timing(toDomain)} |`);
  }
  // The panel is left on the Domain gap tab: a reload restores it there, drawn at first paint.
  await runCommand(page, 'Developer: Reload Window');
  await waitForWorkbench(page);
  await poll('the restored Domain gap tab', scatterDrawn, 60_000, 10);
  const restored = await pagePhases(frame, 'checkpointDiff.js');
  const load = `load ${os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')}, ${os.cpus().length} CPUs`;
  console.log(
    `\nCheckpoint Diff panel, Domain gap tab: ${points.toLocaleString('en-US')} points per plot (4 domains x ${DIFF_POINTS_PER_DOMAIN.toLocaleString('en-US')}), two plots, 10 classes, CKA ${DIFF_LAYERS} x ${DIFF_LAYERS} (${load}); ms from picking checkpoint B (the report is reused)\n`,
  );
  console.log(`| open ${PHASE_HEADER} Domain gap tab click: handler / painted | colour domain -> class | class -> domain |`);
  console.log(`|---${PHASE_RULE}---:|---:|---:|`);
  for (const row of rows) console.log(row);
  console.log(
    `| restored on the Domain gap tab after a window reload (from webview created) | ${phaseCells(restored.created, restored, restored.painted ?? restored.created).join(' | ')} | | | |`,
  );
}

// ---- end of the Checkpoint Diff case ----

/** Runs of the Compare Runs table (its summary says `1,000 of 1,000 runs`) and at least one drawn. */
async function waitForRuns(frame: FrameLocator): Promise<void> {
  await poll(
    '1,000 rows',
    async () =>
      (
        (await frame
          .locator('#summary')
          .textContent()
          .catch(() => '')) ?? ''
      ).startsWith(`${COMPARED_RUNS.toLocaleString('en-US')} of`) && (await frame.locator('#runs-table tbody button.run-link').count()) > 0,
    120_000,
    10,
  );
}

const markerCount = async (frame: FrameLocator): Promise<number> =>
  frame
    .locator('#cost-plot-svg .point')
    .count()
    .catch(() => 0);

/**
 * The cost plot over the 1,000 runs: switched on in page (compute and draw every marker, then the
 * frame painted), a hover's tooltip, a sort with the plot shown, a click on a marker to that run's
 * Results panel painted (via the harness), and back to Compare Runs, whose rebuilt webview draws
 * the plot from its saved state: first paint, split as the other panels' are, and when the plot was drawn.
 */
async function benchPareto(page: Page, repeats: number): Promise<{ interact: string[]; reopen: string[]; markers: number }> {
  const interact: string[] = [];
  const reopen: string[] = [];
  let markers = 0;
  for (let i = 0; i < repeats; i++) {
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'KD-UDA: Compare Runs');
    let frame = webviewFrame(page);
    await waitForRuns(frame);
    // A new panel starts without the plot: switching it on computes and draws every marker.
    const show = await inPage(frame, '#show-plot', 'click');
    await poll('the markers', async () => (await markerCount(frame)) > 0, 30_000, 10);
    markers = await markerCount(frame);
    const hover = await inPage(frame, '#cost-plot-svg .point[data-index="0"]', 'hover');
    const tooltip = await frame.locator('#plot-tooltip').isVisible();
    const sort = await inPage(frame, '#runs-table thead button.sort[data-column="run"]', 'click');
    // The KD-MTDA runs: two models each (teacher, student), the plot redrawn with the filtered table.
    const filter = await inPage(frame, '#filter', { type: 'method.name:kd-mtda' });
    const filtered = await markerCount(frame);
    await inPage(frame, '#filter', { type: '' });
    // A click on a marker of the front (the last drawn, so none lies over it): the Open Results command, then that panel painted.
    const marker = frame.locator('#cost-plot-svg .point[data-front="true"]').last();
    const runId = path.basename(((await marker.getAttribute('data-key')) ?? '').split('\n')[0]);
    const clickStarted = Date.now();
    await marker.click();
    await poll(
      'the results tab',
      async () =>
        (await page
          .locator('.tab.active .label-name')
          .textContent()
          .catch(() => '')) === `Results: ${runId}`,
      30_000,
      10,
    );
    frame = webviewFrame(page);
    // The synthetic runs have no events.jsonl: the panel paints its header and "Waiting for the first evaluation".
    const results = await pagePhases(frame, 'results.js');
    const toResults = results.painted === undefined ? '?' : (results.painted - clickStarted).toFixed(0);
    interact.push(
      `| ${i + 1} | ${markers.toLocaleString('en-US')} | ${timing(show)} | ${timing(hover)}${tooltip ? '' : ' (no tooltip!)'} | ${timing(sort)} | ${timing(filter)} (${filtered.toLocaleString('en-US')} markers) | ${toResults} |`,
    );
    // Back: the Compare Runs webview was torn down while hidden; it comes back with the plot shown.
    const started = Date.now();
    await page.locator('.part.editor .tabs-container .tab').filter({ hasText: 'Compare Runs' }).first().click();
    frame = webviewFrame(page);
    await poll('the markers again', async () => (await markerCount(frame)) === markers, 120_000, 10);
    const seen = Date.now();
    const phases = await pagePhases(frame, 'compareRuns.js');
    const plotted = phases.snapshot !== undefined && phases.plotDrawn !== undefined ? (phases.plotDrawn - phases.snapshot).toFixed(0) : '?';
    reopen.push(`| ${i + 1} | ${phaseCells(started, phases, seen).join(' | ')} | ${plotted} |`);
  }
  return { interact, reopen, markers };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const repeats = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 3);
  /** `--only=pareto`: the cost plot's case alone (it still writes all 1,000 runs). */
  const only = args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  await ensureCodeServer();
  const workspace = await createTestWorkspace({});
  const runsDir = path.join(workspace.root, 'runs');
  writeResultsRun(runsDir);
  for (let index = 1; index < COMPARED_RUNS; index++) writeComparedRun(runsDir, index);
  const server = await startCodeServer({ workspace: workspace.root, log: () => undefined });
  const browser = await launchBrowser();
  const load = () =>
    `load ${os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}, ${os.cpus().length} CPUs`;
  try {
    const page = browser.page;
    await openWorkbench(page, server.urlFor({ extensionDevelopmentPath: REPO_ROOT }));
    if (only === undefined) {
      const compare = await benchCompareRuns(page, repeats);
      console.log(
        `\nCompare Runs, ${COMPARED_RUNS.toLocaleString('en-US')} run folders x ${TARGETS.length} targets (${load()}); ms from the palette closing on "KD-UDA: Compare Runs" to the first rows painted\n`,
      );
      console.log(`| open ${PHASE_HEADER}`);
      console.log(`|---${PHASE_RULE}`);
      for (const row of compare.open) console.log(row);
      console.log(`\nSort (student accuracy on ${TARGETS[TARGETS.length - 1]}) and filter on 1,000 rows, ms to the changed rows painted\n`);
      console.log(
        '| round | sort asc in page: handler / painted | sort desc in page | sort via harness | filter in page: handler / painted | filter via harness |',
      );
      console.log('|---|---:|---:|---:|---:|---:|');
      for (const row of compare.interact) console.log(row);
    }
    if (only === undefined || only === 'pareto') {
      const pareto = await benchPareto(page, repeats);
      console.log(
        `\nCompare Runs' accuracy-versus-cost plot, ${COMPARED_RUNS.toLocaleString('en-US')} runs, ${pareto.markers.toLocaleString('en-US')} markers (${load()}); ms\n`,
      );
      console.log(
        '| round | markers | plot switched on, in page: handler / painted | hover: handler / tooltip painted | sort with the plot shown, in page | filter to KD-MTDA (teacher and student a run), in page | click on a marker (via harness) -> its Results panel painted |',
      );
      console.log('|---|---:|---:|---:|---:|---:|---:|');
      for (const row of pareto.interact) console.log(row);
      console.log('\nBack to Compare Runs after the click: its webview rebuilt, the plot shown from its saved state; ms from clicking its tab\n');
      console.log(`| round ${PHASE_HEADER} snapshot -> plot drawn |`);
      console.log(`|---${PHASE_RULE}---:|`);
      for (const row of pareto.reopen) console.log(row);
      if (only === 'pareto') {
        console.log(PHASES_NOTE);
        return;
      }
    }

    const results = await benchResults(page, repeats);
    console.log(
      `\nResults panel, ${EPOCHS} epochs x ${TARGETS.length} targets x ${ROLES.length} models (${load()}); ms from picking the run in the quick pick\n`,
    );
    console.log(`| open ${PHASE_HEADER} to curves drawn | last -> max switch |`);
    console.log(`|---${PHASE_RULE}---:|---:|`);
    for (const row of results) console.log(row);
    console.log(PHASES_NOTE);
    await benchCheckpointDiff(page, runsDir, repeats);
  } catch (error) {
    await browser.page.screenshot({ path: path.join(os.tmpdir(), 'kd-uda-bench-panels-failed.png') }).catch(() => undefined);
    throw error;
  } finally {
    await browser.dispose();
    await server.dispose();
    await workspace.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
