import * as tf from '@tensorflow/tfjs-core';
import { enoughBatches, LATENCY_BATCH_SIZE, LATENCY_PLAN, summariseLatency, type LatencyMeasurement, type LatencyPlan } from '../../runFolder/inferenceLatency';

/**
 * Times `runBatch` by the plan: warm-up batches untimed, then timed ones until the plan has enough.
 * The clock is a parameter so that tests give it timings rather than time anything.
 */
export function timeBatches(
  runBatch: () => void,
  batchSize: number,
  plan: LatencyPlan = LATENCY_PLAN,
  now: () => number = () => performance.now(),
): LatencyMeasurement {
  for (let run = 0; run < plan.warmUpBatches; run++) runBatch();
  const timings: number[] = [];
  const started = now();
  let elapsed = 0;
  while (!enoughBatches(timings.length, elapsed, plan)) {
    const before = now();
    runBatch();
    const after = now();
    timings.push(after - before);
    elapsed = after - started;
  }
  return summariseLatency(timings, batchSize);
}

/**
 * Inference latency of a model on the current backend: batches of LATENCY_BATCH_SIZE zeros, each
 * read back to the CPU (dataSync), so an asynchronous backend's work is inside the timing.
 */
export function measureInferenceLatency(predict: (images: tf.Tensor4D) => tf.Tensor, inputShape: [number, number, number]): LatencyMeasurement {
  const images = tf.zeros<tf.Rank.R4>([LATENCY_BATCH_SIZE, ...inputShape]);
  try {
    return timeBatches(() => tf.tidy(() => predict(images).dataSync()), LATENCY_BATCH_SIZE);
  } finally {
    images.dispose();
  }
}
