import { Worker as NodeWorker } from 'node:worker_threads';

/**
 * Multi-threaded wasm in Node. tfjs-backend-wasm turns threads off in Node because it hands
 * Emscripten its pthread worker script as a Blob URL, which Node's worker_threads cannot load.
 * Emscripten's Node path creates pthread workers with `new Worker(url)` on the global `Worker`,
 * which it sets to worker_threads.Worker at start-up. Pinning that global to a subclass that runs
 * the worker script from source (`eval: true`) needs no file on disk and no Blob.
 */
export function installPthreadWorker(workerSource: string, onError: (error: Error) => void): void {
  class PthreadWorker extends NodeWorker {
    constructor() {
      super(workerSource, { eval: true });
      // A worker that dies while loading would leave Emscripten waiting for it forever.
      this.on('error', onError);
    }
  }
  Object.defineProperty(globalThis, 'Worker', {
    configurable: true,
    get: () => PthreadWorker,
    // Emscripten assigns worker_threads.Worker on every module start; keep ours.
    set: () => undefined,
  });
}

/**
 * The pthread worker script tfjs ships, adapted to be evaluated from source: the main script
 * (the Emscripten factory) arrives as source text instead of a URL, so `importScripts` evaluates
 * its argument rather than reading a file.
 */
export function pthreadWorkerSource(shippedWorkerScript: string): string {
  // The package keeps the script in a template literal, whose `\n` escapes inside string literals
  // became real line breaks; put the escapes back (as tfjs does before making its Blob).
  const script = shippedWorkerScript.replace(/\n/g, '\\n');
  return `${script}\nglobal.importScripts = (source) => (0, eval)(source);\n`;
}

interface EmscriptenPthreads {
  PThread?: { unusedWorkers: NodeWorker[]; runningWorkers: NodeWorker[]; terminateAllThreads(): void };
}

/**
 * XNNPACK's thread pool parks its pthreads in workers that Emscripten keeps referenced, so the
 * process would never exit on its own. The workers only run while the main thread waits for
 * them inside a kernel, so letting go of them is safe: the process exits when its own work is done.
 */
export function unrefPthreadWorkers(module: EmscriptenPthreads): number {
  const pthreads = module.PThread;
  if (!pthreads) return 0;
  const workers = [...pthreads.unusedWorkers, ...pthreads.runningWorkers];
  for (const worker of workers) worker.unref();
  return pthreads.runningWorkers.length;
}
