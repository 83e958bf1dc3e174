import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { INSTALL_NATIVE_COMMAND, nativeFix, wasmFix, type NativeProblem } from '../../src/trainer/backends/backendHints';
import type { NativeRung } from '../../src/nativeSetup/nativePackages';
import { sharpUnavailableMessage } from '../../src/trainer/data/sharpUnavailable';
import { findProjectRoot, installContext } from '../../src/trainer/installContext';

const rungs: NativeRung[] = ['tensorflow', 'tensorflow-gpu'];
const problems: NativeProblem[] = [{ kind: 'missing' }, { kind: 'version-mismatch', found: '4.10.0' }, { kind: 'load-failed' }];

describe('backend hints worded for where they are read', () => {
  it('a checkout (scripts/setup-native.mjs beside package.json) is told the script; an installed extension never is', () => {
    const checkout = findProjectRoot(__dirname);
    assert.equal(installContext(checkout), 'checkout');
    const installed = mkdtempSync(path.join(os.tmpdir(), 'kduda-installed-'));
    try {
      // An installed extension's folder: package.json and dist/, no scripts/.
      writeFileSync(path.join(installed, 'package.json'), JSON.stringify({ name: 'kd-uda-lab' }));
      mkdirSync(path.join(installed, 'dist'));
      assert.equal(findProjectRoot(path.join(installed, 'dist')), installed);
      assert.equal(installContext(installed), 'installed');
      assert.equal(installContext(undefined), 'installed');
    } finally {
      rmSync(installed, { recursive: true, force: true });
    }
  });

  for (const rung of rungs) {
    for (const problem of problems) {
      it(`${rung}, ${problem.kind}: the checkout hint names setup:native, the installed one the palette command`, () => {
        const inCheckout = nativeFix(rung, problem, 'checkout', '4.22.0');
        const inInstalled = nativeFix(rung, problem, 'installed', '4.22.0');
        assert.match(inCheckout, /npm run setup:native/);
        assert.doesNotMatch(inCheckout, new RegExp(INSTALL_NATIVE_COMMAND));
        assert.doesNotMatch(inInstalled, /setup:native|npm (run|install)/);
        assert.ok(inInstalled.includes(`"${INSTALL_NATIVE_COMMAND}"`), inInstalled);
      });
    }
  }

  it('a version mismatch names the version found and the one needed; the GPU hints name CUDA 11.2 and cuDNN 8.1', () => {
    assert.match(
      nativeFix('tensorflow', { kind: 'version-mismatch', found: '4.10.0' }, 'installed', '4.22.0'),
      /replaces @tensorflow\/tfjs-node 4\.10\.0 with 4\.22\.0/,
    );
    for (const kind of ['missing', 'load-failed'] as const)
      assert.match(nativeFix('tensorflow-gpu', { kind }, 'installed', '4.22.0'), /CUDA 11\.2.*cuDNN 8\.1/);
  });

  it('a broken wasm backend: rebuild in a checkout, reinstall the extension when installed', () => {
    assert.match(wasmFix('checkout'), /node esbuild\.mjs/);
    assert.doesNotMatch(wasmFix('installed'), /esbuild|npm/);
    assert.match(wasmFix('installed'), /reinstall the KD-UDA Lab extension/);
  });

  it('sharp without npm: the installed extension is pointed at its platform build, a checkout at npm install', () => {
    const installed = sharpUnavailableMessage('installed', { installFolder: '/home/u/.cache/kd-uda-lab/npm', platform: 'linux-arm64' });
    assert.match(installed, /npm, which would fetch it into \/home\/u\/\.cache\/kd-uda-lab\/npm, is not on the PATH/);
    assert.match(installed, /universal build.*install the build for linux-arm64.*kd-uda-lab-linux-arm64-<version>\.vsix/);
    assert.doesNotMatch(installed, /npm install|npm run/);
    const checkout = sharpUnavailableMessage('checkout', { installFolder: '/c/.cache/npm', projectRoot: '/src/kd-uda-lab', platform: 'linux-x64' });
    assert.match(checkout, /run `npm install` in \/src\/kd-uda-lab/);
    assert.doesNotMatch(checkout, /universal build/);
  });
});
