import { readFileSync } from 'node:fs';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers its gradient functions only when asked; training needs all of them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { BackendWasm, setThreadsCount, version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { locateWasmBinary, type WasmFlavour } from './wasmBinaries';
import { registerWasmTrainingKernels } from './wasmKernels/registerTrainingKernels';
import { installPthreadWorker, pthreadWorkerSource, unrefPthreadWorkers } from './wasmThreads';

/** An Emscripten module factory as tfjs-backend-wasm ships it (wasm-out/*.js). */
type WasmModuleFactory = ((config: Record<string, unknown>) => Promise<WasmModule>) & { toString(): string };

interface WasmModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  tfjs?: unknown;
  PThread?: Parameters<typeof unrefPthreadWorkers>[0]['PThread'];
}

export interface WasmBackendInfo {
  version: string;
  flavour: WasmFlavour;
  simd: boolean;
  threads: number;
  binary: string;
  /** Kernels replaced or added for training. */
  trainingKernels: string[];
}

// Deep requires: the factories and worker script are not part of the package's public API, but
// they are what its own init() uses, at this exact version (4.22.0).
/* eslint-disable @typescript-eslint/no-require-imports */
const loadThreadedFactory = (): WasmModuleFactory => require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js') as WasmModuleFactory;
const loadPlainFactory = (): WasmModuleFactory => require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js') as WasmModuleFactory;
const loadWorkerScript = (): string =>
  (require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as { wasmWorkerContents: string }).wasmWorkerContents;
/* eslint-enable @typescript-eslint/no-require-imports */

let loaded: WasmBackendInfo | undefined;

/** Starting takes well under a second; a stuck worker must become an error, never a hang. */
const startTimeoutMs = 30_000;

function timeout(ms: number, message: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref());
}

/** Whether this runtime can share wasm memory between threads (SharedArrayBuffer + atomics). */
export function wasmThreadsSupported(): boolean {
  try {
    // Node's types leave WebAssembly out of the ES2022 lib this project compiles against.
    const wasm = (globalThis as unknown as { WebAssembly: { Memory: new (descriptor: object) => unknown } }).WebAssembly;
    new wasm.Memory({ initial: 1, maximum: 1, shared: true });
    return typeof SharedArrayBuffer === 'function';
  } catch {
    return false;
  }
}

/** Default thread count: every core the process may use (tfjs's own default is cores / 2). */
export function defaultWasmThreads(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

/**
 * Starts tfjs-backend-wasm as backend 'wasm' with SIMD and worker threads where the runtime allows,
 * plus the training kernels, and makes it the active backend. Replaces the package's own loader,
 * which never uses threads in Node. Once per process; later calls return the first result.
 */
export async function loadWasmBackend(options: { threads?: number } = {}): Promise<WasmBackendInfo> {
  if (loaded) {
    await tf.setBackend('wasm');
    return loaded;
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  const wantedThreads = Math.max(1, Math.floor(options.threads ?? defaultWasmThreads()));
  const flavour: WasmFlavour = simd && wantedThreads > 1 && wasmThreadsSupported() ? 'threaded-simd' : simd ? 'simd' : 'plain';
  const binary = locateWasmBinary(flavour);

  const config: Record<string, unknown> = {
    wasmBinary: readFileSync(binary),
    locateFile: (file: string, prefix: string) => (file.endsWith('.wasm') ? binary : prefix + file),
  };
  let factory: WasmModuleFactory;
  let workerFailed: (error: Error) => void = () => undefined;
  const workerFailure = new Promise<never>((_, reject) => {
    workerFailed = (error) => reject(new Error(`a wasm worker thread failed: ${error.message}`));
  });
  workerFailure.catch(() => undefined);
  if (flavour === 'threaded-simd') {
    factory = loadThreadedFactory();
    installPthreadWorker(pthreadWorkerSource(loadWorkerScript()), (error) => workerFailed(error));
    // Workers evaluate this source to get the factory (see pthreadWorkerSource).
    config.mainScriptUrlOrBlob = `var WasmBackendModuleThreadedSimd = ${factory.toString()};`;
  } else {
    factory = loadPlainFactory();
  }
  const module = await withApparentCores(2 * wantedThreads, () =>
    Promise.race([instantiate(factory, config, binary), workerFailure, timeout(startTimeoutMs, `${binary} did not start within ${startTimeoutMs / 1000} s`)]),
  );
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };

  const trainingKernels = registerWasmTrainingKernels();
  setThreadsCount(flavour === 'threaded-simd' ? wantedThreads : 1);
  // The package registered 'wasm' with its own (thread-less in Node) loader; the kernels stay.
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', () => new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]), 2);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise (see the messages above)');
  unrefPthreadWorkers(module);
  const threads = (module.tfjs as { getThreadsCount(): number }).getThreadsCount();
  loaded = { version: version_wasm, flavour, simd, threads, binary, trainingKernels };
  return loaded;
}

/**
 * The C++ side caps its thread pool at emscripten_num_logical_cores() / 2 (it assumes two hardware
 * threads per core), read once from os.cpus() in Node while the module starts. On a 2-core machine
 * that is one thread. Showing it twice the cores we want for that moment lifts the cap to our count.
 */
async function withApparentCores<T>(cores: number, start: () => Promise<T>): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const osModule = require('node:os') as { cpus: typeof os.cpus };
  const realCpus = osModule.cpus;
  osModule.cpus = () => {
    const cpus = realCpus();
    return Array.from({ length: Math.max(cores, cpus.length) }, (_, i) => cpus[i % cpus.length]);
  };
  try {
    return await start();
  } finally {
    osModule.cpus = realCpus;
  }
}

function instantiate(factory: WasmModuleFactory, config: Record<string, unknown>, binary: string): Promise<WasmModule> {
  return new Promise((resolve, reject) => {
    config.onAbort = (reason: unknown) => reject(new Error(`${binary} failed to start: ${String(reason)}`));
    factory(config).then(resolve, reject);
  });
}
