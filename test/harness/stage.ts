import type { Page } from 'playwright-core';
import { notifications, screenshot, type BrowserSession } from './browser';
import type { CodeServer } from './codeServer';

/** What a failing stage reports from: whatever the suite has started so far. */
export interface StageContext {
  page?: Page;
  browser?: BrowserSession;
  server?: CodeServer;
}

/**
 * Runs one stage of an e2e test; on failure saves a screenshot `<shotPrefix>-FAILED-<name>` and
 * prints the notifications, the workbench console and code-server's log, then rethrows.
 */
export async function runStage(context: () => StageContext, shotPrefix: string, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const { page, browser, server } = context();
    if (page) {
      const shot = await screenshot(page, `${shotPrefix}-FAILED-${name}`).catch(() => undefined);
      const toasts = await notifications(page).catch(() => []);
      console.error(`stage "${name}" failed${shot ? `; screenshot ${shot}` : ''}`);
      if (toasts.length) console.error(`notifications shown:\n  ${toasts.join('\n  ')}`);
      if (browser) console.error(`--- workbench console (last 30 lines) ---\n${browser.consoleLines.slice(-30).join('\n')}`);
    }
    if (server) console.error(server.logTail(30));
    throw error;
  }
}
