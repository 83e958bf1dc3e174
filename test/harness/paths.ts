import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The repository root: the nearest folder above this file whose package.json is the extension's.
 * Works both from the TypeScript sources (test/harness) and from the bundle (out/test/harness).
 */
function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
        if (pkg.name === 'kd-uda-lab') return dir;
      } catch {
        // not ours; keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`harness: no kd-uda-lab package.json above ${start}`);
    dir = parent;
  }
}

export const REPO_ROOT = findRepoRoot(__dirname);

/** Where test tools (code-server) are installed; git-ignored. */
export const VSCODE_TEST_DIR = path.join(REPO_ROOT, '.vscode-test');

/** Screenshots and other artefacts of the browser tests; git-ignored. */
export const TEST_RESULTS_DIR = path.join(REPO_ROOT, 'test-results');

/** The built integration test runner that the extension host loads. */
export const INTEGRATION_INDEX = path.join(REPO_ROOT, 'out', 'test', 'integration', 'index.js');

/** The extension's built entry point (package.json `main`). */
export const EXTENSION_MAIN = path.join(REPO_ROOT, 'dist', 'extension.js');
