import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { INSTALL_NATIVE_COMMAND, nativeFix, wasmFix, type NativeProblem } from '../../src/trainer/backends/backendHints';
import { BackendError } from '../../src/trainer/backends/backendError';
import { describeBackend } from '../../src/trainer/backends/initBackend';
import { offersNativeInstall, refusalProblems, refusalText } from '../../src/host/processes/refusalProblems';
import { LAUNCHED_FROM_VSCODE_ENV, launchedFromVsCode } from '../../src/util/launchedFromVsCode';
import { REPO_ROOT } from '../harness/paths';
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
      it(`${rung}, ${problem.kind}: a checkout's terminal is told setup:native, VS Code the palette command (installed: only that)`, () => {
        const inCheckout = nativeFix(rung, problem, { context: 'checkout', inVsCode: false }, '4.22.0');
        const inCheckoutVsCode = nativeFix(rung, problem, { context: 'checkout', inVsCode: true }, '4.22.0');
        const inInstalled = nativeFix(rung, problem, { context: 'installed', inVsCode: true }, '4.22.0');
        assert.match(inCheckout, /npm run setup:native/);
        assert.doesNotMatch(inCheckout, new RegExp(INSTALL_NATIVE_COMMAND));
        assert.doesNotMatch(inInstalled, /setup:native|npm (run|install)/);
        assert.ok(inInstalled.includes(`"${INSTALL_NATIVE_COMMAND}"`), inInstalled);
        // A checkout opened in VS Code: the palette command first; the script only as the terminal's way, and no npm install to type.
        assert.ok(inCheckoutVsCode.startsWith(inInstalled), inCheckoutVsCode);
        assert.match(inCheckoutVsCode, /in a terminal in this checkout, `npm run setup:native`/);
        assert.doesNotMatch(inCheckoutVsCode, /npm install/);
      });
    }
  }

  it('a version mismatch names the version found and the one needed; the GPU hints name CUDA 11.2 and cuDNN 8.1', () => {
    assert.match(
      nativeFix('tensorflow', { kind: 'version-mismatch', found: '4.10.0' }, { context: 'installed', inVsCode: true }, '4.22.0'),
      /replaces @tensorflow\/tfjs-node 4\.10\.0 with 4\.22\.0/,
    );
    for (const kind of ['missing', 'load-failed'] as const)
      assert.match(nativeFix('tensorflow-gpu', { kind }, { context: 'installed', inVsCode: true }, '4.22.0'), /CUDA 11\.2.*cuDNN 8\.1/);
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

  it('the palette command the hints name is the one package.json contributes', () => {
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      contributes: { commands: { command: string; title: string; category: string }[] };
    };
    const command = manifest.contributes.commands.find((entry) => entry.command === 'kdUda.installNativeBackend');
    assert.equal(`${command?.category}: ${command?.title}`, INSTALL_NATIVE_COMMAND);
  });

  it('the trainer knows it was started by the extension only from the variable the extension sets', () => {
    assert.equal(launchedFromVsCode({ [LAUNCHED_FROM_VSCODE_ENV]: '1' }), true);
    assert.equal(launchedFromVsCode({}), false);
  });

  it("auto's log names a backend whose package is absent without install steps; one that is there and broken keeps its fix", () => {
    const lines = describeBackend({
      requested: 'auto',
      name: 'wasm',
      tfjsBackend: 'wasm',
      package: '@tensorflow/tfjs-backend-wasm',
      version: '4.22.0',
      library: 'simd build',
      threads: 2,
      simd: true,
      gpu: false,
      skipped: [
        {
          name: 'tensorflow-gpu',
          reason: '@tensorflow/tfjs-node-gpu is not installed (looked in /x)',
          fix: 'needs an NVIDIA GPU: npm install …',
          notInstalled: true,
        },
        { name: 'tensorflow', reason: '@tensorflow/tfjs-node 4.22.0 failed to load: libtensorflow.so.2: cannot open', fix: 'rebuild it' },
      ],
      warnings: [],
      startupMs: 5,
    });
    assert.deepEqual(lines.slice(1), [
      'backend: skipped tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed (looked in /x)',
      'backend: skipped tensorflow: @tensorflow/tfjs-node 4.22.0 failed to load: libtensorflow.so.2: cannot open. To use it: rebuild it',
    ]);
  });

  it('a refused backend is one problem however many lines explain it, and its notification offers the palette command', () => {
    const fix = nativeFix('tensorflow-gpu', { kind: 'missing' }, { context: 'checkout', inVsCode: true }, '4.22.0');
    const error = new BackendError('backend "tensorflow-gpu" was asked for and could not be started (no other backend is tried when one is named):', [
      { name: 'tensorflow-gpu', reason: '@tensorflow/tfjs-node-gpu is not installed (looked in /x/.native)', fix },
    ]);
    const reason = `/w/gpu-try.kdexp.json:24:14: backend: ${error.message}\n/w/gpu-try.kdexp.json:5:3: data.root: no folder at /w/gone`;
    const problems = refusalProblems(reason);
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(
      problems[0],
      /^\/w\/gpu-try\.kdexp\.json:24:14: backend: .*named\): tensorflow-gpu: @tensorflow\/tfjs-node-gpu is not installed \(looked in \/x\/\.native\)\. Fix: needs an NVIDIA GPU/,
    );
    assert.match(refusalText('gpu-try', problems.slice(0, 1), ''), /^KD-UDA: run gpu-try was not started \(1 problem\): /);
    assert.equal(offersNativeInstall(problems), true);
    assert.equal(offersNativeInstall(problems.slice(1)), false);
  });
});
