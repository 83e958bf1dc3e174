/**
 * Driving the VS Code web workbench (served by code-server) from Debian's Chromium through
 * playwright-core: launch, wait for the workbench, run palette commands, open views, read trees,
 * reach into webviews, take screenshots.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { TEST_RESULTS_DIR } from './paths';
import { poll } from './poll';
import { CHROMIUM_CANDIDATES, provideSystemTools } from './systemTools';

/**
 * The parts of page elements that evaluate() callbacks here use. The project compiles without the
 * DOM library (the callbacks run in the page, the rest in Node), so playwright's element types do
 * not resolve; a callback names the shape it relies on instead.
 */
export interface ScrollBox {
  scrollLeft: number;
  scrollWidth: number;
}
export interface HasAttributes {
  getAttribute(name: string): string | null;
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface BrowserOptions {
  /** Default true; `KDUDA_HEADED=1` shows the window (needs a display). */
  headless?: boolean;
  /** Default `$KDUDA_CHROMIUM` or /usr/bin/chromium. */
  executablePath?: string;
  viewport?: { width: number; height: number };
  /** Called with every console message of the page (the workbench forwards extension host logs there). */
  onConsole?: (text: string, type: string) => void;
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  userDataDir: string;
  /** Everything the page printed to its console, in order. */
  consoleLines: string[];
  dispose(): Promise<void>;
}

export function chromiumPath(explicit?: string): string {
  const chosen = [explicit, process.env.KDUDA_CHROMIUM].filter(Boolean) as string[];
  if (chosen.length > 0) {
    const found = chosen.find((candidate) => existsSync(candidate));
    if (!found) throw new Error(`no Chromium at ${chosen.join(', ')} (KDUDA_CHROMIUM or the executablePath option)`);
    return found;
  }
  provideSystemTools(['chromium'], (line) => console.log(`[browser] ${line}`));
  return CHROMIUM_CANDIDATES.find((candidate) => existsSync(candidate))!;
}

/** Launches Chromium with a fresh profile folder; `dispose()` closes it and deletes the profile. */
export async function launchBrowser(options: BrowserOptions = {}): Promise<BrowserSession> {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'kduda-chromium-'));
  const headless = options.headless ?? process.env.KDUDA_HEADED !== '1';
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath(options.executablePath),
      headless,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1400, height: 900 },
      // The workbench asks for clipboard access in some flows; never block on a permission prompt.
      permissions: ['clipboard-read', 'clipboard-write'],
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw new Error(`launching Chromium failed: ${(error as Error).message}`);
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLines: string[] = [];
  page.on('console', (message) => {
    // The workbench styles its log lines: "%c INFO color: #33f text" -> "INFO text".
    const text = message.text().replace(/%c\s*(\w+)\s+color:\s*#[0-9a-f]+\s*/gi, '$1 ');
    consoleLines.push(`[${message.type()}] ${text}`);
    options.onConsole?.(text, message.type());
  });
  page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));
  let disposed = false;
  return {
    context,
    page,
    userDataDir,
    consoleLines,
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Opens `url` and waits until the workbench is laid out and interactive. */
export async function openWorkbench(page: Page, url: string, timeoutMs = 90_000): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  await waitForWorkbench(page, timeoutMs);
}

/** Waits for the workbench shell: activity bar and status bar visible. */
export async function waitForWorkbench(page: Page, timeoutMs = 90_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.part.activitybar').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
}

const quickInput = (page: Page) => page.locator('.quick-input-widget');

/** The quick pick's visible rows. */
export function quickPickRows(page: Page): Locator {
  return quickInput(page).locator('.quick-input-list .monaco-list-row');
}

/**
 * Runs a command from the palette by its title as the palette shows it (`Category: Title`, e.g.
 * `KD-UDA: Show Dataset`): F1, type `>Title`, wait for the matching row, Enter. Retries, since the
 * list lags behind typing and commands contributed by a just-started extension appear late; each
 * retry waits longer for the palette and its row (a workbench starved of CPU, as on a loaded CI
 * machine, filters the list in seconds), and a final failure leaves a screenshot of the screen.
 * `opensPick`: the command asks for a choice (a theme, a format), which is left open to pick from.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 60_000, opensPick = false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = '';
  for (let attempt = 1; Date.now() < deadline; attempt++) {
    const patience = Math.min(attempt, 4);
    try {
      const input = quickInput(page).locator('input.input');
      // Asked by whether its input shows, not the widget: a widget left laid out without its input
      // once kept every attempt from pressing F1. Every other attempt opens it from the title bar's
      // command center instead, which needs no keyboard focus.
      if (!(await input.isVisible())) {
        const commandCenter = page.locator('.command-center-center');
        if (attempt % 2 === 0 && (await commandCenter.isVisible())) {
          await commandCenter.click();
        } else {
          await page
            .locator('.monaco-workbench')
            .focus()
            .catch(() => undefined);
          await page.keyboard.press('F1');
        }
      }
      await input.waitFor({ state: 'visible', timeout: 5000 * patience });
      await input.fill(`>${title}`);
      const row = quickPickRows(page).filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) });
      await row.first().waitFor({ state: 'visible', timeout: 3000 * patience });
      // The list may still re-sort as results arrive: make sure the matching row is the focused one.
      await row.first().click();
      // A command that asks for a choice leaves the quick input open with its own pick, for the caller.
      if (!opensPick) await quickInput(page).waitFor({ state: 'hidden', timeout: 5000 });
      return;
    } catch (error) {
      lastProblem = (error as Error).message.split('\n')[0];
      await page.keyboard.press('Escape').catch(() => undefined);
      await page.waitForTimeout(Math.min(250 * attempt, 1500));
    }
  }
  const shot = await screenshot(page, `palette-failed-${title}`).catch(() => 'no screenshot');
  throw new Error(`could not run the command "${title}" from the palette within ${timeoutMs} ms (${lastProblem}); screen: ${shot}`);
}

/** Picks the quick pick row with this label (for commands that ask which item to use). */
export async function pickQuickPickItem(page: Page, label: string | RegExp, timeoutMs = 10_000): Promise<void> {
  const matcher = typeof label === 'string' ? new RegExp(`^${escapeRegExp(label)}$`) : label;
  const row = quickPickRows(page).filter({ has: page.locator('.label-name', { hasText: matcher }) });
  await row.first().waitFor({ state: 'visible', timeout: timeoutMs });
  await row.first().click();
}

/** Whether the quick input is open (e.g. a command asking for a choice). */
export async function quickPickIsOpen(page: Page): Promise<boolean> {
  return quickInput(page).isVisible();
}

/** Clicks the activity bar entry of a view container (e.g. `KD-UDA Lab`) unless it is already open. */
export async function openViewContainer(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const item = page.locator('.part.activitybar .action-item').filter({ has: page.locator(`.action-label[aria-label^="${title}"]`) });
  await item.first().waitFor({ state: 'visible', timeout: timeoutMs });
  const checked = await item
    .first()
    .getAttribute('aria-selected')
    .catch(() => null);
  const alreadyOpen =
    checked === 'true' ||
    (await item.first().evaluate((element) => (element as unknown as { classList: { contains(c: string): boolean } }).classList.contains('checked')));
  if (!alreadyOpen) await item.first().click();
  await page
    .locator('.part.sidebar .composite.title h2', { hasText: new RegExp(`^${escapeRegExp(title)}$`, 'i') })
    .first()
    .waitFor({ state: 'visible', timeout: timeoutMs });
}

/** The body of a view in the side bar, found by its title (e.g. `Datasets`); expands it if collapsed. */
export async function viewPane(page: Page, viewTitle: string, timeoutMs = 15_000): Promise<Locator> {
  const pane = page
    .locator('.part.sidebar .pane')
    .filter({ has: page.locator('.pane-header h3.title', { hasText: new RegExp(`^${escapeRegExp(viewTitle)}$`, 'i') }) })
    .first();
  await pane.waitFor({ state: 'visible', timeout: timeoutMs });
  const header = pane.locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  return pane;
}

/** The first rendered row of a tree view with this label (see `treeRowAt` for labels that repeat). */
export function treeRow(scope: Locator, label: string): Locator {
  return scope
    .locator('.monaco-list-row[role="treeitem"]')
    .filter({ has: scope.page().locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
    .first();
}

export interface TreeRowInfo {
  /** Position in the tree's list (`data-index`): rows are positioned absolutely, so DOM order is not visual order. */
  index: number;
  label: string;
  description: string;
  level: number;
  expanded: boolean | undefined;
}

/** Every rendered row of a tree view in visual order: label, description, depth and expansion state. */
export async function treeRows(scope: Locator): Promise<TreeRowInfo[]> {
  const rows = scope.locator('.monaco-list-row[role="treeitem"]');
  const infos: TreeRowInfo[] = [];
  for (const row of await rows.all()) {
    const index = Number(await row.getAttribute('data-index'));
    const label = (
      (await row
        .locator('.label-name')
        .first()
        .textContent()
        .catch(() => '')) ?? ''
    ).trim();
    const description = (
      (await row
        .locator('.label-description')
        .first()
        .textContent()
        .catch(() => '')) ?? ''
    ).trim();
    const level = Number(await row.getAttribute('aria-level')) || 0;
    const expandedAttr = await row.getAttribute('aria-expanded');
    infos.push({ index, label, description, level, expanded: expandedAttr === null ? undefined : expandedAttr === 'true' });
  }
  return infos.sort((a, b) => a.index - b.index);
}

/**
 * The row reached by following labels from the top level down (e.g. `['digits', 'mnist', '0']`),
 * or undefined if some step is not rendered (collapsed or not there yet).
 */
export async function findTreeRow(scope: Locator, labels: string[]): Promise<TreeRowInfo | undefined> {
  const rows = await treeRows(scope);
  let from = 0;
  let found: TreeRowInfo | undefined;
  for (const [depth, label] of labels.entries()) {
    const level = depth + 1;
    found = undefined;
    for (let i = from; i < rows.length; i++) {
      if (depth > 0 && rows[i].level < level) break; // left the parent's subtree
      if (rows[i].level === level && rows[i].label === label) {
        found = rows[i];
        from = i + 1;
        break;
      }
    }
    if (!found) return undefined;
  }
  return found;
}

/** A locator for the row at `labels` (see `findTreeRow`), waiting until it is rendered. */
export async function treeRowAt(scope: Locator, labels: string[], timeoutMs = 15_000): Promise<Locator> {
  const info = await poll(`tree row ${labels.join(' > ')}`, () => findTreeRow(scope, labels), timeoutMs);
  return scope.locator(`.monaco-list-row[role="treeitem"][data-index="${info.index}"]`);
}

/** Expands every row along `labels` (each must be collapsible but the last may be a leaf). */
export async function expandTreePath(scope: Locator, labels: string[], timeoutMs = 15_000): Promise<void> {
  for (let depth = 1; depth <= labels.length; depth++) {
    const row = await treeRowAt(scope, labels.slice(0, depth), timeoutMs);
    if ((await row.getAttribute('aria-expanded')) === 'false') await expandTreeRow(row);
  }
}

/** The description text of a tree row (e.g. `6 images`). */
export async function treeRowDescription(row: Locator): Promise<string> {
  return ((await row.locator('.label-description').first().textContent()) ?? '').trim();
}

/** Expands a collapsed tree row (a click on its twistie). */
export async function expandTreeRow(row: Locator): Promise<void> {
  await row.waitFor({ state: 'visible' });
  if ((await row.getAttribute('aria-expanded')) === 'false') {
    await row.locator('.monaco-tl-twistie').click();
    await poll('the row to expand', async () => (await row.getAttribute('aria-expanded')) === 'true', 10_000);
  }
}

/**
 * The content frame of the visible webview editor (or panel view). VS Code nests two iframes:
 * `iframe.webview.ready` (the host) and `iframe#active-frame` (the extension's HTML).
 */
export function webviewFrame(page: Page): FrameLocator {
  return page.locator('iframe.webview.ready').filter({ visible: true }).last().contentFrame().locator('iframe#active-frame').contentFrame();
}

/** The tab of an editor by its title (e.g. `Dataset: digits`). */
export function editorTab(page: Page, title: string): Locator {
  return page
    .locator('.part.editor .tabs-container .tab')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) })
    .first();
}

/** Messages of the notification toasts now shown (errors from the extension end up here). */
export async function notifications(page: Page): Promise<string[]> {
  const toasts = page.locator('.notifications-toasts .notification-toast .notification-list-item-message');
  return (await toasts.allTextContents()).map((text) => text.trim());
}

/** A full-page screenshot into `test-results/<name>.png`; returns the path. */
export async function screenshot(page: Page, name: string, dir = TEST_RESULTS_DIR): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name.replace(/[^a-zA-Z0-9._-]+/g, '-')}.png`);
  await page.screenshot({ path: file });
  return file;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
