/**
 * One row of bench/throughput.ts, in its own process so each backend starts clean and its peak RSS
 * is its own: `node out/bench/throughputRun.js <backend> <model> <seconds> [threads]`.
 * Prints one JSON line: samples/s for training and inference at batch 64, peak RSS, the backend
 * report, and the top kernels of one profiled training step.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initBackend } from '../src/trainer/backends/initBackend';
import type { BackendChoice } from '../src/trainer/backends/backendTypes';
import { crossEntropy } from '../src/trainer/losses/crossEntropy';
import { buildModel, type ModelName } from '../src/trainer/models/buildModel';

export interface RunResult {
  backend: string;
  model: ModelName;
  train?: number;
  infer?: number;
  peakRssMb?: number;
  threads?: number;
  simd?: boolean;
  detail?: string;
  skipped?: { name: string; reason: string }[];
  profile?: { kernel: string; ms: number; calls: number }[];
  stepMs?: number;
  error?: string;
}

export const BATCH = 64;
export const inputShapes: Record<ModelName, [number, number, number]> = {
  lenet5: [28, 28, 1],
  'resnet-small': [32, 32, 3],
};

/**
 * Steps per second: the best of three windows, each at least a third of `seconds` and one step,
 * after two warm-up steps. Other processes on a shared machine only ever slow a window down, so the
 * best window is the closest to what the machine can do (bench/throughput_torch.py does the same).
 */
function rate(step: () => void, seconds: number): number {
  step();
  step();
  let best = 0;
  for (let window = 0; window < 3; window++) {
    let count = 0;
    const started = performance.now();
    while (count < 1 || performance.now() - started < (seconds * 1000) / 3) {
      step();
      count++;
    }
    best = Math.max(best, count / ((performance.now() - started) / 1000));
  }
  return best;
}

async function measure(backend: BackendChoice, model: ModelName, seconds: number, threads?: number): Promise<RunResult> {
  const report = await initBackend({ backend, threads });
  const shape = inputShapes[model];
  const net = buildModel(model, { inputShape: shape, classes: 10 });
  const variables = [net.trunk, net.head].flatMap((m: LayersModel) => m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
  const x = tf.randomNormal([BATCH, ...shape]);
  const labels = tf.randomUniform<tf.Rank.R1>([BATCH], 0, 10, 'int32');
  const optimizer = tf.train.momentum(0.01, 0.9);
  // The trainer's own loss, as a training step of the trainer computes it.
  const trainStep = () => {
    const cost = optimizer.minimize(() => crossEntropy(net.head.apply(net.trunk.apply(x, { training: true })) as tf.Tensor2D, labels), true, variables)!;
    cost.dataSync();
    cost.dispose();
  };
  // Reading the logits back forces the work on every backend; the array stays outside tidy (a
  // typed array returned from tidy is walked element by element).
  const inferStep = () => {
    const logits = tf.tidy(() => net.head.predict(net.trunk.predict(x) as tf.Tensor) as tf.Tensor);
    logits.dataSync();
    logits.dispose();
  };
  const train = rate(trainStep, seconds) * BATCH;
  const infer = rate(inferStep, seconds / 2) * BATCH;

  const started = performance.now();
  const profile = await tf.profile(trainStep);
  const stepMs = performance.now() - started;
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const kernel of profile.kernels) {
    // `*__op` entries are custom-gradient wrappers whose time is their inner kernels' again.
    if (kernel.name.endsWith('__op')) continue;
    const entry = byKernel.get(kernel.name) ?? { ms: 0, calls: 0 };
    entry.ms += Number(await kernel.kernelTimeMs);
    entry.calls++;
    byKernel.set(kernel.name, entry);
  }
  const top = [...byKernel.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, 8)
    .map(([kernel, { ms, calls }]) => ({ kernel, ms, calls }));
  return {
    backend: report.name,
    model,
    train,
    infer,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    threads: report.threads,
    simd: report.simd,
    detail: `${report.package} ${report.version}, ${report.library.split(';')[0]}`,
    skipped: report.skipped.map(({ name, reason }) => ({ name, reason })),
    profile: top,
    stepMs,
  };
}

if (require.main === module) {
  const [backend, model, seconds, threads] = process.argv.slice(2);
  measure(backend as BackendChoice, model as ModelName, Number(seconds ?? 5), threads ? Number(threads) : undefined)
    .then((result) => console.log(JSON.stringify(result)))
    .catch((error: Error) => console.log(JSON.stringify({ backend, model: model as ModelName, error: error.message } satisfies RunResult)));
}
