import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InstallNativeResult } from '../../src/host/commands/installNativeBackend';
import { notifications } from './errorNotifications';

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

  it('without npm, fetches nothing and says that Node.js is needed, in the notification too', async () => {
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
  });
});
