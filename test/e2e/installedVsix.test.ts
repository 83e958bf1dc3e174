/**
 * The extension as a user gets it: the linux-x64 .vsix (packaged by scripts/package-vsix.mjs)
 * installed into code-server with `--install-extension`, a fresh home and cache, and no node or
 * npm on the PATH (a VS Code that came without Node.js); the extension host runs the installed
 * copy, never the checkout, and trains a JPEG dataset (JPEG has no decoder but sharp, which must
 * come from the .vsix itself).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadSharp } from '../../src/trainer/data/sharpModule';
import { readRunResults } from '../../src/runFolder/readRunResults';
import { writeExperiment } from '../fixtures/experiments';
import { makeImage } from '../fixtures/imageTree';
import { startCodeServerAndBrowser, type CodeServerAndBrowser } from '../harness/devWorkbench';
import { pathWithout, writeProbeExtension } from '../harness/installedExtension';
import { REPO_ROOT } from '../harness/paths';
import { poll } from '../harness/poll';
import type { InstalledRunReport } from '../installed/startInstalledRun';

const TARGET = 'linux-x64';

/** `<root>/<domain>/<class>/<n>.jpg`: real JPEGs, which only sharp decodes here. */
async function writeJpegTree(root: string, spec: Record<string, Record<string, number>>): Promise<void> {
  const sharp = await loadSharp();
  let seed = 1;
  for (const [domain, classes] of Object.entries(spec)) {
    for (const [classIndex, [className, count]] of Object.entries(classes).entries()) {
      const dir = path.join(root, domain, className);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < count; i++) {
        await writeFile(
          path.join(dir, `${i}.jpg`),
          await sharp(makeImage(classIndex, seed++, 16))
            .jpeg({ quality: 90 })
            .toBuffer(),
        );
      }
    }
  }
}

describe(
  `the ${TARGET} .vsix, installed, trains a JPEG dataset without npm`,
  { skip: process.platform === 'linux' && process.arch === 'x64' ? false : `needs ${TARGET}` },
  () => {
    let scratch: string;
    let started: CodeServerAndBrowser | undefined;

    before(() => {
      scratch = mkdtempSync(path.join(os.tmpdir(), 'kduda-vsix-'));
    });

    after(async () => {
      await started?.dispose();
      rmSync(scratch, { recursive: true, force: true });
    });

    it('runs Start Run from the installed copy to a finished run with results', { timeout: 600_000 }, async () => {
      // The bundles as built for the tests (`node esbuild.mjs --tests`), packaged as a user gets them.
      execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'package-vsix.mjs'), '--no-build', '--target', TARGET, '--out', scratch], {
        cwd: REPO_ROOT,
      });
      const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
      const vsix = path.join(scratch, `kd-uda-lab-${TARGET}-${version}.vsix`);

      const workspace = path.join(scratch, 'workspace');
      const dataset = path.join(workspace, 'data');
      await writeJpegTree(dataset, { photos: { cat: 4, dog: 4 }, sketches: { cat: 4, dog: 4 } });
      const experiment = await writeExperiment(workspace, 'installed', {
        version: 1,
        name: 'installed',
        data: { root: dataset, source: 'photos', targets: ['sketches'], imageSize: 16, channels: 3, split: { kind: 'all' } },
        student: { architecture: 'lenet5', width: 0.5 },
        method: { name: 'source-only' },
        epochs: 1,
        stepsPerEpoch: 2,
        batchSize: 4,
        backend: 'wasm',
      });

      const home = path.join(scratch, 'home');
      mkdirSync(home);
      const resultsFile = path.join(scratch, 'installed-run.json');
      const noNodePath = pathWithout(['node', 'nodejs', 'npm', 'npx', 'corepack'], process.env.PATH ?? '', path.join(scratch, 'bin'));
      assert.equal(
        execFileSync('/bin/sh', ['-c', 'command -v npm node || true'], { env: { PATH: noNodePath }, encoding: 'utf8' }).trim(),
        '',
        'npm and node are gone from the PATH',
      );
      started = await startCodeServerAndBrowser({
        workspace,
        installExtensions: [vsix],
        // VSCODE_CLI=1 keeps the server from taking PATH from a login shell (`$SHELL -ilc env`), whose
        // /etc/profile would put /usr/bin, npm and all, back: the extension host sees this PATH.
        env: { HOME: home, PATH: noNodePath, VSCODE_CLI: '1', KDUDA_TEST_RESULTS: resultsFile, KDUDA_TEST_EXPERIMENT: experiment },
      });
      const { server, page } = started;
      // The probe is the only extension in development: ours comes from the extensions folder.
      const url = server.urlFor({
        extensionDevelopmentPath: writeProbeExtension(path.join(scratch, 'probe')),
        extensionTestsPath: path.join(REPO_ROOT, 'out', 'test', 'installed', 'startInstalledRun.js'),
      });
      await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
      await poll('the installed extension host to report', () => existsSync(resultsFile), 420_000, 250).catch((error: Error) => {
        throw new Error(`${error.message}\n${server.logTail(40)}`);
      });
      const report = JSON.parse(readFileSync(resultsFile, 'utf8')) as InstalledRunReport;

      assert.ok(report.extensionPath?.startsWith(server.extensionsDir + path.sep), `the extension ran from ${report.extensionPath}, not the extensions folder`);
      assert.equal(report.start?.started, true, JSON.stringify(report));
      assert.equal(report.state, 'done', `the run ended ${report.state}: ${report.error}`);
      const results = await readRunResults(report.runDir!);
      assert.equal(results.kind, 'results', JSON.stringify(results));
      assert.equal(results.kind === 'results' && results.epoch, 1);
      // sharp came from the .vsix: nothing was installed into the (fresh) cache folder.
      const cache = path.join(server.scratchDir, 'xdg', 'cache', 'kd-uda-lab', 'npm');
      assert.equal(existsSync(cache), false, `something was installed into ${cache}`);
    });
  },
);
