/**
 * What the e2e tests start from: code-server with Chromium beside it, and, for most of them, a
 * generated workspace that code-server serves with KD-UDA Lab loaded in development mode and the
 * workbench open in Chromium. One `dispose()` closes everything in the reverse order of opening;
 * a start that fails closes what it had opened before the error goes on, so a suite's `after`
 * only ever has a whole set to dispose.
 */
import type { Page } from 'playwright-core';
import { launchBrowser, openWorkbench, type BrowserSession } from './browser';
import { startCodeServer, type CodeServer, type StartOptions } from './codeServer';
import { REPO_ROOT } from './paths';
import { createTestWorkspace, type TestWorkspace, type TestWorkspaceOptions } from './workspace';

export interface CodeServerAndBrowser {
  server: CodeServer;
  browser: BrowserSession;
  /** The browser's page (`browser.page`). */
  page: Page;
  /** Closes Chromium, then stops code-server. */
  dispose(): Promise<void>;
}

export interface DevWorkbench extends CodeServerAndBrowser {
  workspace: TestWorkspace;
  /** Closes Chromium, stops code-server, then removes the workspace. */
  dispose(): Promise<void>;
}

export interface DevWorkbenchOptions {
  /** The generated workspace (datasets, experiment files, settings); `createTestWorkspace`'s defaults when absent. */
  workspace?: TestWorkspaceOptions;
  /** Writes what the test needs into the workspace (runs, checkpoints, odd files) before code-server starts on it. */
  prepare?: (workspace: TestWorkspace) => Promise<void>;
  /** The extension folder loaded in development mode; default this repository. */
  extensionDevelopmentPath?: string;
}

/** Runs `body`; if it throws, `close()`s what was opened before it, then passes the error on. */
async function closingOnFailure<T>(close: () => Promise<void>, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    await close();
    throw error;
  }
}

/** Starts code-server with these options, then Chromium on a fresh profile; opens no page. */
export async function startCodeServerAndBrowser(options: StartOptions): Promise<CodeServerAndBrowser> {
  const server = await startCodeServer(options);
  const browser = await closingOnFailure(
    () => server.dispose(),
    () => launchBrowser(),
  );
  return {
    server,
    browser,
    page: browser.page,
    dispose: async () => {
      await browser.dispose();
      await server.dispose();
    },
  };
}

/**
 * Creates the workspace, lets `prepare` fill it, starts code-server on it and Chromium, and opens
 * the workbench with the extension in development mode, waiting until the workbench is laid out.
 */
export async function openDevWorkbench(options: DevWorkbenchOptions = {}): Promise<DevWorkbench> {
  const workspace = await createTestWorkspace(options.workspace);
  return closingOnFailure(
    () => workspace.dispose(),
    async () => {
      await options.prepare?.(workspace);
      const started = await startCodeServerAndBrowser({ workspace: workspace.root });
      await closingOnFailure(
        () => started.dispose(),
        () => openWorkbench(started.page, started.server.urlFor({ extensionDevelopmentPath: options.extensionDevelopmentPath ?? REPO_ROOT })),
      );
      return {
        ...started,
        workspace,
        dispose: async () => {
          await started.dispose();
          await workspace.dispose();
        },
      };
    },
  );
}
