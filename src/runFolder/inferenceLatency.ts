/**
 * Inference latency as a measurement, not a single timing: the median over many timed batches,
 * its interquartile range and how many batches it took. The trainer (results.json costs) and
 * `kd-uda diff` (the Checkpoint Diff report) time inference the same way (src/trainer/training/
 * measureLatency.ts), so their figures for one checkpoint agree within this spread. Pure: the
 * panels read these types and helpers too.
 */

/** Images per timed batch, the same for every model and every caller, so figures compare. */
export const LATENCY_BATCH_SIZE = 32;

/**
 * How long to time: untimed warm-up batches first (the first runs compile kernels and fill
 * caches), then timed batches until there are at least `minBatches` AND `minMs` have passed, so a
 * fast model gets many samples and a slow one at least `minBatches`; `maxBatches` bounds a very fast one.
 */
export interface LatencyPlan {
  warmUpBatches: number;
  minBatches: number;
  minMs: number;
  maxBatches: number;
}

export const LATENCY_PLAN: LatencyPlan = { warmUpBatches: 3, minBatches: 20, minMs: 1000, maxBatches: 400 };

/** Above this interquartile range over median the figure is marked noisy: the machine was busy, or the backend throttles. */
export const NOISY_SPREAD = 0.25;

/** What one latency measurement adds to the median per batch (results.json costs and diff reports carry it beside it). */
export interface LatencySpread {
  /** 25th and 75th percentile of the timed batches (ms). */
  q1Ms: number;
  q3Ms: number;
  /** Timed batches (warm-up not counted). */
  batches: number;
  /** Interquartile range over median above NOISY_SPREAD. */
  noisy: boolean;
}

export interface LatencyMeasurement extends LatencySpread {
  medianMs: number;
  batchSize: number;
}

/** Linear interpolation between the closest ranks of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

const roundMs = (ms: number): number => Number(ms.toFixed(3));

/** The measurement from the timed batches' wall times (ms). */
export function summariseLatency(timingsMs: readonly number[], batchSize: number): LatencyMeasurement {
  if (timingsMs.length === 0) throw new Error('a latency measurement needs at least one timed batch');
  const sorted = [...timingsMs].sort((a, b) => a - b);
  const medianMs = quantile(sorted, 0.5);
  const q1Ms = quantile(sorted, 0.25);
  const q3Ms = quantile(sorted, 0.75);
  return {
    medianMs: roundMs(medianMs),
    q1Ms: roundMs(q1Ms),
    q3Ms: roundMs(q3Ms),
    batches: sorted.length,
    batchSize,
    noisy: medianMs > 0 ? (q3Ms - q1Ms) / medianMs > NOISY_SPREAD : false,
  };
}

/** Whether timing may stop after `batches` timed batches that took `elapsedMs` in all. */
export function enoughBatches(batches: number, elapsedMs: number, plan: LatencyPlan): boolean {
  return batches >= plan.maxBatches || (batches >= plan.minBatches && elapsedMs >= plan.minMs);
}

/** A cost as results.json and diff reports store it: the median per batch, and the spread when the writer measured one. */
export interface RecordedLatency {
  latencyMsPerBatch: number;
  latencyBatchSize: number;
  latencySpread?: LatencySpread;
}

/** The recorded fields from a measurement. */
export function recordLatency(measurement: LatencyMeasurement): RecordedLatency {
  const { medianMs, batchSize, ...spread } = measurement;
  return { latencyMsPerBatch: medianMs, latencyBatchSize: batchSize, latencySpread: spread };
}
