import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { InstallNativeResult } from '../../src/host/commands/installNativeBackend';
import { TFJS_VERSION } from '../../src/nativeSetup/nativePackages';
import { notifications } from './errorNotifications';

/**
 * Runs `during` with the trainer's native folder (KDUDA_NATIVE_DIR, read by the extension host as by
 * the trainer) set to a fresh one holding `packages` (name -> version), as setup:native would leave it.
 */
async function withNativeFolder(packages: Record<string, string>, during: (folder: string) => Promise<void>): Promise<void> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-it-native-'));
  const saved = process.env.KDUDA_NATIVE_DIR;
  process.env.KDUDA_NATIVE_DIR = folder;
  try {
    for (const [name, version] of Object.entries(packages)) {
      await mkdir(path.join(folder, 'node_modules', name), { recursive: true });
      await writeFile(path.join(folder, 'node_modules', name, 'package.json'), JSON.stringify({ name, version }));
    }
    await during(folder);
  } finally {
    if (saved === undefined) delete process.env.KDUDA_NATIVE_DIR;
    else process.env.KDUDA_NATIVE_DIR = saved;
    await rm(folder, { recursive: true, force: true });
  }
}

describe('KD-UDA: Install Native TensorFlow Backend', function () {
  this.timeout(60_000);

  it('reports the CPU, the NVIDIA driver and the CUDA/cuDNN libraries it finds, without fetching when asked only to look', async () => {
    const result = await vscode.commands.executeCommand<InstallNativeResult>('kdUda.installNativeBackend', { detectOnly: true });
    assert.equal(result.report.platform, process.platform);
    assert.ok(result.report.cpu.cores > 0);
    // These machines have no GPU: the GPU build is refused with the reason, the CPU build is not.
    if (!result.report.driver.found) assert.match(result.verdict.gpu.why, /no NVIDIA driver/);
    assert.equal(result.installed, undefined);
    assert.equal(result.reason, undefined);
  });

  it('says which builds are installed already, and never offers to fetch one that is there', () =>
    withNativeFolder({ '@tensorflow/tfjs-node': TFJS_VERSION }, async (folder) => {
      const cpu = path.join(folder, 'node_modules', '@tensorflow', 'tfjs-node');
      const looked = await vscode.commands.executeCommand<InstallNativeResult>('kdUda.installNativeBackend', { detectOnly: true });
      assert.deepEqual(looked.present, { tensorflow: { packageName: '@tensorflow/tfjs-node', version: TFJS_VERSION, dir: cpu, matches: true } });

      // The palette's question lists only what is not there, and says what is.
      const window = vscode.window as unknown as {
        showQuickPick: (items: readonly vscode.QuickPickItem[], options?: vscode.QuickPickOptions) => Thenable<unknown>;
      };
      const showQuickPick = window.showQuickPick;
      const asked: { labels: string[]; placeHolder?: string }[] = [];
      window.showQuickPick = (items, options) => {
        asked.push({ labels: items.map((item) => item.label), placeHolder: options?.placeHolder });
        return Promise.resolve(undefined);
      };
      try {
        const picked = await vscode.commands.executeCommand<InstallNativeResult>('kdUda.installNativeBackend');
        assert.equal(picked.reason, 'no build chosen');
      } finally {
        window.showQuickPick = showQuickPick;
      }
      assert.deepEqual(asked, [
        { labels: ['GPU build (@tensorflow/tfjs-node-gpu)'], placeHolder: `Installed already: CPU build ${TFJS_VERSION}. Which other build to fetch?` },
      ]);

      // Asked for the CPU build by name: it is reported as there, and npm is never run.
      const shown = await notifications('information', async () => {
        const result = await vscode.commands.executeCommand<InstallNativeResult>('kdUda.installNativeBackend', { rung: 'tensorflow' });
        assert.equal(result.installed, cpu);
        assert.match(result.reason ?? '', /installed already .*nothing was fetched/);
      });
      assert.deepEqual(
        shown.map(({ message }) => message),
        [`KD-UDA: @tensorflow/tfjs-node ${TFJS_VERSION} is installed already (${cpu}); nothing was fetched.`],
      );
    }));

  it('without npm, fetches nothing and says that Node.js is needed, in the notification too', () =>
    // No build installed where the trainer looks, so the command has something to fetch.
    withNativeFolder({}, async () => {
      const savedPath = process.env.PATH;
      // The extension host's own environment, as a VS Code without Node.js would have it.
      process.env.PATH = '/nonexistent';
      let result: InstallNativeResult | undefined;
      const shown = await notifications('error', async () => {
        try {
          result = await vscode.commands.executeCommand<InstallNativeResult>('kdUda.installNativeBackend', { rung: 'tensorflow' });
        } finally {
          process.env.PATH = savedPath;
        }
      });
      assert.ok(result);
      assert.equal(result.installed, undefined);
      assert.match(result.reason ?? '', /cannot run npm .*fetching @tensorflow\/tfjs-node@\d+\.\d+\.\d+ needs npm, which comes with Node\.js/);
      assert.doesNotMatch(result.reason ?? '', /setup:native/);
      assert.deepEqual(
        shown.map((notification) => [notification.message, notification.actions]),
        [[`KD-UDA: ${result.reason}`, ['Show Output']]],
      );
    }));
});
