/**
 * The README's screenshots of the panels a reader meets first, in the dark and the light theme:
 * the Results panel of a KD-STDA and of an MT-MTDA run, Compare Runs over a runs folder, and the
 * New Experiment wizard. Real code-server and Chromium over real run folders (the Digits benchmark's
 * runs: `npm run bench:digits` writes them), so what the README shows is what a user sees.
 *
 *   node out/test/harness/readmeScreenshots.js --runs DIR --kd-stda RUN --mt-mtda RUN [--datasets DIR] [--only results,compare,wizard] [--out docs/screenshots]
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { launchBrowser, openWorkbench, pickQuickPickItem, quickPickRows, runCommand, webviewFrame } from './browser';
import { startCodeServer } from './codeServer';
import { REPO_ROOT } from './paths';

const THEMES = { dark: 'Dark Modern', light: 'Light Modern' } as const;
type ThemeName = keyof typeof THEMES;

async function useTheme(page: Page, theme: ThemeName): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme', 60_000, true);
  await pickQuickPickItem(page, new RegExp(THEMES[theme]), 30_000);
  await page.waitForTimeout(1500);
}

async function closeEditors(page: Page): Promise<void> {
  await runCommand(page, 'View: Close All Editors');
  await page.waitForTimeout(500);
}

/** Open Results on the run whose folder name is given, through the palette's run pick. */
async function openResults(page: Page, run: string): Promise<void> {
  await runCommand(page, 'KD-UDA: Open Results', 60_000, true);
  await page.locator('.quick-input-widget input.input').fill(run);
  await page.waitForTimeout(1000);
  await quickPickRows(page).first().click();
  await webviewFrame(page).locator('table').first().waitFor({ state: 'visible', timeout: 60_000 });
  await page.waitForTimeout(2500);
}

/** The wizard at its method step (4 of 8), with the Digits root, mnist and every target chosen. */
async function openWizardAtMethod(page: Page): Promise<void> {
  await runCommand(page, 'KD-UDA: New Experiment…', 60_000, true);
  await pickQuickPickItem(page, /train$/, 30_000);
  await pickQuickPickItem(page, /^mnist$/, 30_000);
  await page.waitForTimeout(800);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(1500);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      'kd-stda': { type: 'string' },
      'mt-mtda': { type: 'string' },
      datasets: { type: 'string' },
      only: { type: 'string', default: 'results,compare,wizard' },
      out: { type: 'string', default: 'docs/screenshots' },
    },
  });
  if (!values.runs || !values['kd-stda'] || !values['mt-mtda'])
    throw new Error('usage: readmeScreenshots --runs DIR --kd-stda RUN --mt-mtda RUN [--datasets DIR] [--out DIR]');
  const out = path.resolve(REPO_ROOT, values.out);
  mkdirSync(out, { recursive: true });
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'kduda-readme-shots-'));
  mkdirSync(path.join(workspace, '.vscode'));
  const settings = { 'kdUda.runsDirectory': path.resolve(values.runs), 'kdUda.datasets': values.datasets ? [path.resolve(values.datasets)] : [] };
  writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(settings));

  const server = await startCodeServer({ workspace });
  const browser = await launchBrowser();
  const page = browser.page;
  await page.setViewportSize({ width: 1400, height: 1000 });
  const shot = async (name: string, clip?: { x: number; y: number; width: number; height: number }) => {
    const file = path.join(out, `${name}.png`);
    // The pointer rests where no hover tooltip covers what is shown.
    await page.mouse.move(1390, 990);
    await page.waitForTimeout(500);
    await page.screenshot({ path: file, clip });
    console.log(`wrote ${file}`);
  };
  try {
    await openWorkbench(page, server.urlFor({ extensionDevelopmentPath: REPO_ROOT }));
    await page.waitForTimeout(5000);
    // The panels get the window's width, as a reader studying a table would give them.
    await runCommand(page, 'View: Close Primary Side Bar');
    const only = new Set(values.only.split(','));
    for (const theme of ['dark', 'light'] as const) {
      await useTheme(page, theme);
      if (only.has('results')) {
        await openResults(page, values['kd-stda']);
        await shot(`results-kd-stda-${theme}`);
        await closeEditors(page);
        await openResults(page, values['mt-mtda']);
        await shot(`results-mt-mtda-${theme}`);
        await closeEditors(page);
      }
      if (only.has('compare')) {
        await runCommand(page, 'KD-UDA: Compare Runs');
        await webviewFrame(page).locator('#runs-table').waitFor({ state: 'visible', timeout: 60_000 });
        await page.waitForTimeout(2500);
        await shot(`compare-runs-${theme}`);
        await closeEditors(page);
      }
      if (only.has('wizard') && values.datasets) {
        await openWizardAtMethod(page);
        await shot(`wizard-${theme}`, { x: 380, y: 0, width: 640, height: 220 });
        await page.keyboard.press('Escape');
      }
    }
  } finally {
    await browser.dispose();
    await server.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
