import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { findProjectRoot, installContext } from '../installContext';
import { RungFailure } from './backendError';
import { nativeFix, type NativeProblem } from './backendHints';
import { nativeSearchFolders as searchFoldersOf } from '../../nativeSetup/installedNative';
import { launchedFromVsCode } from '../../util/launchedFromVsCode';
import { nativePackages, type NativeRung } from '../../nativeSetup/nativePackages';
import { registerNativeKernels } from './nativeKernels/registerNativeKernels';

export { nativePackages, type NativeRung } from '../../nativeSetup/nativePackages';
export { findProjectRoot } from '../installContext';

export interface NativeBackendInfo {
  package: string;
  version: string;
  /** Where the package was loaded from. */
  packageDir: string;
  tensorflowVersion: string;
  threads: number;
  gpu: boolean;
}

/** The fields read from a package.json here: only compared, so a wrong type just fails the comparison. */
interface Manifest {
  name?: unknown;
  version?: unknown;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Where the trainer looks for a native package before ordinary resolution (src/nativeSetup/installedNative.ts). */
export function nativeSearchFolders(): string[] {
  return searchFoldersOf(findProjectRoot());
}

/**
 * tfjs-node brings its own copies of tfjs (the union package, with the cpu and webgl backends),
 * which register every kernel again into the shared registry and say so, once per kernel: some
 * 300 lines of noise in the run's log. Only those messages are dropped, only while it loads.
 */
function quietDuplicateRegistrations<T>(load: () => T): T {
  const warn = console.warn;
  const duplicate = /is already registered|was already registered|has already been set/;
  console.warn = (...args: unknown[]) => {
    if (!(typeof args[0] === 'string' && duplicate.test(args[0]))) warn(...args);
  };
  try {
    return load();
  } finally {
    console.warn = warn;
  }
}

/** Where a native package's package.json is, or undefined when it is not installed anywhere we look. */
export function locateNativePackage(packageName: string): string | undefined {
  for (const folder of nativeSearchFolders()) {
    const manifest = path.join(folder, 'node_modules', packageName, 'package.json');
    if (existsSync(manifest)) return path.dirname(manifest);
  }
  try {
    return path.dirname(require.resolve(`${packageName}/package.json`));
  } catch {
    return undefined;
  }
}

/**
 * tfjs-node finds its binding with node-pre-gyp, which parses process.argv as its own command
 * line: the trainer's `--dir X` read as node-pre-gyp's `--directory X` sent it looking for the
 * package under X. It sees a bare command line while the package loads.
 */
function withoutCommandLine<T>(load: () => T): T {
  const argv = process.argv;
  process.argv = argv.slice(0, 2);
  try {
    return load();
  } finally {
    process.argv = argv;
  }
}

/**
 * Loads tfjs-node(-gpu), which registers and activates backend 'tensorflow' in the shared tfjs
 * engine. Rejects with RungFailure, the cause and its fix. A GPU build on a machine without a usable
 * CUDA device still works, on the CPU: for 'tensorflow-gpu' that is a failure (the caller decides
 * whether that TensorFlow may serve as the 'tensorflow' rung).
 */
export async function loadNativeTensorFlow(rung: NativeRung): Promise<NativeBackendInfo> {
  const packageName = nativePackages[rung];
  const reader = { context: installContext(findProjectRoot()), inVsCode: launchedFromVsCode() };
  const fix = (problem: NativeProblem) => nativeFix(rung, problem, reader, tf.version_core);
  const packageDir = locateNativePackage(packageName);
  if (!packageDir) {
    throw new RungFailure(
      rung,
      `${packageName} is not installed (looked in ${[...nativeSearchFolders(), 'node_modules'].join(', ')})`,
      fix({ kind: 'missing' }),
      true,
    );
  }
  const manifestVersion = readManifest(packageDir).version;
  const version = typeof manifestVersion === 'string' ? manifestVersion : 'unknown';
  if (version.split('.').slice(0, 2).join('.') !== tf.version_core.split('.').slice(0, 2).join('.')) {
    throw new RungFailure(
      rung,
      `${packageName} ${version} does not match tfjs-core ${tf.version_core} (both share one engine and kernel registry)`,
      fix({ kind: 'version-mismatch', found: version }),
    );
  }
  const alreadyActive = tf.findBackend('tensorflow');
  // TensorFlow's C++ start-up chatter (oneDNN, CPU feature notes) unless the user asked for it.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  try {
    // A computed path: the bundler must not try to include a native, optional package. Loaded
    // for its side effect (registering the backend and its kernels), not its exports.
    quietDuplicateRegistrations(() =>
      withoutCommandLine(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(packageDir);
      }),
    );
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new RungFailure(rung, `${packageName} ${version} failed to load: ${message}`, fix({ kind: 'load-failed' }));
  }
  if (!alreadyActive && !tf.findBackend('tensorflow')) {
    throw new RungFailure(rung, `${packageName} loaded but registered no 'tensorflow' backend`, 'reinstall the package');
  }
  if (tf.getBackend() !== 'tensorflow') {
    // setBackend is async: false when the backend did not initialise, a rejection when a kernel's setup threw.
    const failure = await tf.setBackend('tensorflow').then(
      (started) => (started ? undefined : 'it did not initialise'),
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    if (failure !== undefined) {
      throw new RungFailure(rung, `${packageName} could not start its TensorFlow backend: ${failure}`, 'see the messages above; reinstall the package');
    }
  }
  const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean; binding?: { TF_Version?: string } };
  registerNativeKernels();
  return {
    package: packageName,
    version,
    packageDir,
    tensorflowVersion: backend.binding?.TF_Version ?? 'unknown',
    // TensorFlow sizes its intra-op pool to the machine's cores.
    threads: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    gpu: Boolean(backend.isUsingGpuDevice),
  };
}
