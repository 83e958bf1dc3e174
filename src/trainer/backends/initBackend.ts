import * as tf from '@tensorflow/tfjs-core';
import { findProjectRoot, installContext } from '../installContext';
import { BackendError, RungFailure } from './backendError';
import { wasmFix } from './backendHints';
import { parseBackendChoice } from './backendChoice';
import { registerTrainingGradients } from './gradients/registerTrainingGradients';
import { autoLadder, type BackendChoice, type BackendName, type BackendReport, type BackendRequest, type SkippedRung } from './backendTypes';
import { loadNativeTensorFlow } from './nativeTensorFlow';
import { defaultWasmThreads, loadWasmBackend } from './wasmBackend';

export type BackendLog = (line: string) => void;

type Started = Omit<BackendReport, 'requested' | 'skipped' | 'startupMs' | 'warnings'> & { warnings?: string[] };

/**
 * Chooses and starts the trainer's TensorFlow.js backend. `auto` walks the ladder
 * tensorflow-gpu -> tensorflow -> wasm and records why each higher rung was skipped; a backend
 * asked for by name is that backend or a BackendError naming what was tried and the fix (never a
 * silent fall to a slower rung). `cpu`, pure JavaScript and ~400x slower, only when named.
 * Call once, before any tensor is made.
 */
export async function initBackend(request: BackendRequest | BackendChoice, log: BackendLog = () => undefined): Promise<BackendReport> {
  const { backend, threads } = typeof request === 'string' ? { backend: request, threads: undefined } : request;
  // Callers pass strings from files and settings: check them here too.
  const requested = parseBackendChoice(backend, 'the backend request');
  const started = Date.now();
  const rungs: readonly BackendName[] = requested === 'auto' ? autoLadder : [requested];
  const skipped: SkippedRung[] = [];
  for (const rung of rungs) {
    try {
      const result = await startRung(rung, threads, requested, skipped);
      registerTrainingGradients();
      const report: BackendReport = { requested, ...result, skipped, warnings: result.warnings ?? [], startupMs: Date.now() - started };
      for (const line of describeBackend(report)) log(line);
      return report;
    } catch (error) {
      const failure =
        error instanceof RungFailure
          ? error
          : new RungFailure(rung, error instanceof Error ? error.message : String(error), 'see the message; report it if it persists');
      skipped.push({ name: rung, reason: failure.message, fix: failure.fix, ...(failure.notInstalled ? { notInstalled: true as const } : {}) });
      // A package that is simply absent is said once: by the skipped line, or the error if nothing starts.
      if (requested === 'auto' && !failure.notInstalled) log(`backend: ${rung} unavailable: ${failure.message}`);
    }
  }
  throw new BackendError(
    requested === 'auto'
      ? 'no TensorFlow.js backend could be started; tried:'
      : `backend "${requested}" was asked for and could not be started (no other backend is tried when one is named):`,
    skipped,
  );
}

async function startRung(rung: BackendName, threads: number | undefined, requested: BackendChoice, skipped: SkippedRung[]): Promise<Started> {
  switch (rung) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const native = await loadNativeTensorFlow(rung);
      if (rung === 'tensorflow-gpu' && !native.gpu) {
        throw new RungFailure(
          rung,
          `${native.package} ${native.version} loaded, but TensorFlow ${native.tensorflowVersion} sees no usable CUDA GPU (it would run on the CPU)`,
          'check `nvidia-smi`, and that the CUDA and cuDNN libraries libtensorflow was built for are on LD_LIBRARY_PATH',
        );
      }
      const warnings =
        rung === 'tensorflow' && native.package.endsWith('-gpu') && requested === 'auto' && skipped.some((s) => s.name === 'tensorflow-gpu')
          ? [`${native.package} runs on the CPU here (no usable GPU)`]
          : [];
      return {
        name: rung,
        tfjsBackend: tf.getBackend(),
        package: native.package,
        version: native.version,
        library: `TensorFlow ${native.tensorflowVersion} (${native.packageDir})`,
        threads: native.threads,
        simd: true,
        gpu: native.gpu,
        warnings,
      };
    }
    case 'wasm':
      return startWasm(threads);
    case 'cpu': {
      // Loaded only when named: tfjs-node brings its own copy, which would re-register every kernel.
      const { version_cpu } = await import('@tensorflow/tfjs-backend-cpu');
      if (!(await tf.setBackend('cpu'))) throw new RungFailure('cpu', 'the pure-JS cpu backend failed to start', 'reinstall @tensorflow/tfjs-backend-cpu');
      return {
        name: 'cpu',
        tfjsBackend: 'cpu',
        package: '@tensorflow/tfjs-backend-cpu',
        version: version_cpu,
        library: 'pure JavaScript',
        threads: 1,
        simd: false,
        gpu: false,
        warnings: [
          'the cpu backend is pure JavaScript and trains CNNs ~400x slower than wasm; use it only to debug kernels (backend "auto" picks the fastest one available)',
        ],
      };
    }
  }
}

async function startWasm(threads: number | undefined): Promise<Started> {
  const warnings: string[] = [];
  let info;
  try {
    info = await loadWasmBackend({ threads });
  } catch (error) {
    // Worker threads are the part most likely to be refused (locked-down runtimes): one thread
    // is the same rung, slower, and the user is told.
    if ((threads ?? defaultWasmThreads()) <= 1)
      throw new RungFailure('wasm', `tfjs-backend-wasm failed to start: ${(error as Error).message}`, wasmFix(installContext(findProjectRoot())));
    warnings.push(`wasm worker threads failed to start (${(error as Error).message}); running on one thread`);
    info = await loadWasmBackend({ threads: 1 }).catch((retry: Error) => {
      throw new RungFailure('wasm', `tfjs-backend-wasm failed to start: ${retry.message}`, wasmFix(installContext(findProjectRoot())));
    });
  }
  const wanted = threads ?? defaultWasmThreads();
  if (info.threads < wanted && warnings.length === 0) warnings.push(`wasm runs ${info.threads} thread(s), ${wanted} asked for (${info.flavour} build)`);
  if (!info.simd) warnings.push('this runtime has no WebAssembly SIMD; wasm kernels run several times slower (Node >= 16.4 has it)');
  return {
    name: 'wasm',
    tfjsBackend: 'wasm',
    package: '@tensorflow/tfjs-backend-wasm',
    version: info.version,
    library: `${info.flavour} build (${info.binary}); training kernels: ${info.trainingKernels.join(', ')}`,
    threads: info.threads,
    simd: info.simd,
    gpu: false,
    warnings,
  };
}

/**
 * Human lines for the run's log: what runs, how, and why nothing faster does. A rung skipped
 * because its package is not installed gets no install advice: every run's log would open with
 * GPU-install steps that nobody asked for (a run that names the backend gets them, in its refusal).
 * A package that is there and broken keeps its fix: someone installed it to be used.
 */
export function describeBackend(report: BackendReport): string[] {
  const lines = [
    `backend: ${report.name} (${report.package} ${report.version}; ${report.library}); ${report.threads} thread(s), SIMD ${report.simd ? 'on' : 'off'}, GPU ${report.gpu ? 'yes' : 'no'}; started in ${report.startupMs} ms`,
  ];
  for (const skip of report.skipped) lines.push(`backend: skipped ${skip.name}: ${skip.reason}${skip.notInstalled ? '' : `. To use it: ${skip.fix}`}`);
  for (const warning of report.warnings) lines.push(`backend: warning: ${warning}`);
  return lines;
}
