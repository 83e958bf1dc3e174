import type { InstallContext } from '../installContext';
import { INSTALL_NATIVE_COMMAND } from '../../nativeSetup/installNativeCommand';
import { nativePackages, type NativeRung } from '../../nativeSetup/nativePackages';

export { INSTALL_NATIVE_COMMAND } from '../../nativeSetup/installNativeCommand';

/**
 * Where a hint is read: a checkout's terminal (the project's scripts), a checkout opened in VS Code
 * (its palette command first; the script may follow), or an installed extension (the palette
 * command only: the .vsix carries no scripts).
 */
export type HintReader = { context: InstallContext; inVsCode: boolean };

/** Why a native rung could not start: its package is absent, the wrong version, or fails to load. */
export type NativeProblem = { kind: 'missing' } | { kind: 'version-mismatch'; found: string } | { kind: 'load-failed' };

/**
 * The fix for a native rung's problem, worded for where it is read: a checkout's terminal has
 * `npm run setup:native` (scripts/setup-native.mjs); VS Code has the palette command, which an
 * installed extension offers alone (it has no scripts) and a checkout before its script.
 */
export function nativeFix(rung: NativeRung, problem: NativeProblem, reader: HintReader, tfjsVersion: string): string {
  const packageName = nativePackages[rung];
  if (reader.context === 'installed') return installedFix(rung, problem, packageName, tfjsVersion);
  if (!reader.inVsCode) return checkoutFix(rung, problem, packageName, tfjsVersion);
  return `${installedFix(rung, problem, packageName, tfjsVersion)} (in a terminal in this checkout, \`npm run setup:native\` builds it offline: see the README)`;
}

function checkoutFix(rung: NativeRung, problem: NativeProblem, packageName: string, tfjsVersion: string): string {
  switch (problem.kind) {
    case 'missing':
      return rung === 'tensorflow-gpu'
        ? `needs an NVIDIA GPU with CUDA. Online: \`npm install ${packageName}@${tfjsVersion}\` (downloads libtensorflow 2.9.1 for CUDA 11.2 + cuDNN 8.1). Offline, from a GPU libtensorflow tarball or TensorFlow wheel you have: \`npm run setup:native -- --gpu --libtensorflow <tar.gz>\` (or \`--wheel <whl>\`)`
        : `build it against a TensorFlow you have: \`npm run setup:native -- --wheel <tensorflow-cpu .whl>\` or \`--libtensorflow <libtensorflow .tar.gz>\`; or, where Google storage is reachable, \`npm install ${packageName}@${tfjsVersion}\``;
    case 'version-mismatch':
      return `install ${packageName}@${tfjsVersion} (\`npm run setup:native -- --force ...\` rebuilds the matching version)`;
    case 'load-failed':
      return rung === 'tensorflow-gpu'
        ? 'the CUDA/cuDNN libraries libtensorflow needs must be on LD_LIBRARY_PATH (CUDA 11.2 + cuDNN 8.1 for the downloaded 2.9.1); or rebuild with `npm run setup:native -- --gpu --force ...`'
        : 'rebuild it: `npm run setup:native -- --force --wheel <whl>` (or `--libtensorflow <tar.gz>`)';
  }
}

function installedFix(rung: NativeRung, problem: NativeProblem, packageName: string, tfjsVersion: string): string {
  const command = `run "${INSTALL_NATIVE_COMMAND}" from VS Code's Command Palette`;
  const build = rung === 'tensorflow-gpu' ? 'the GPU build' : 'the CPU build';
  switch (problem.kind) {
    case 'missing':
      return rung === 'tensorflow-gpu'
        ? `needs an NVIDIA GPU with CUDA 11.2 + cuDNN 8.1: ${command} and choose ${build}; it reports the driver, CUDA and cuDNN it finds`
        : `${command} and choose ${build} (it fetches ${packageName} ${tfjsVersion} into your cache folder); until then the wasm backend trains`;
    case 'version-mismatch':
      return `${command} again: it replaces ${packageName} ${problem.found} with ${tfjsVersion}, the version this extension's TensorFlow.js needs`;
    case 'load-failed':
      return rung === 'tensorflow-gpu'
        ? `the CUDA 11.2 and cuDNN 8.1 libraries libtensorflow 2.9.1 needs must be on LD_LIBRARY_PATH; ${command} to see which it finds`
        : `${command} again to reinstall ${packageName}`;
  }
}

/** The fix for a wasm backend that fails to start: its .wasm files belong beside dist/trainer.js. */
export function wasmFix(context: InstallContext): string {
  return context === 'checkout'
    ? 'reinstall @tensorflow/tfjs-backend-wasm; rebuild with `node esbuild.mjs` so the .wasm files sit next to dist/trainer.js'
    : 'reinstall the KD-UDA Lab extension: its dist/ folder lacks the tfjs-backend-wasm .wasm files the trainer loads';
}
