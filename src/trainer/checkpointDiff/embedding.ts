import { UMAP } from 'umap-js';
import type { Embedding2d } from '../../checkpointDiff/reportFormat';
import { deriveSeed, SeededRandom } from '../data/seededRandom';

/** n feature vectors of length d, row-major. */
export interface FeatureRows {
  values: Float32Array;
  n: number;
  d: number;
}

const POWER_ITERATIONS = 200;

/** Six significant digits: far finer than a plot can show, and a report a third the size. */
const coordinate = (value: number): number => Number(value.toPrecision(6));

/** The rows with each column's mean subtracted, in float64. */
function centred({ values, n, d }: FeatureRows): Float64Array {
  const out = new Float64Array(n * d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += values[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = values[i * d + j] - mean[j];
  return out;
}

/** Xᵀ(X v) / n: the covariance applied to v, without forming the d × d matrix. */
function covarianceTimes(x: Float64Array, n: number, d: number, v: Float64Array): Float64Array {
  const out = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += x[i * d + j] * v[j];
    for (let j = 0; j < d; j++) out[j] += x[i * d + j] * dot;
  }
  for (let j = 0; j < d; j++) out[j] /= n;
  return out;
}

function normalise(v: Float64Array): number {
  let squares = 0;
  for (const value of v) squares += value * value;
  const norm = Math.sqrt(squares);
  if (norm > 0) for (let j = 0; j < v.length; j++) v[j] /= norm;
  return norm;
}

/**
 * The first two principal axes by power iteration with deflation (seeded start), each signed so
 * that its largest entry is positive: the same features give the same picture, not a mirror.
 */
export function pca2(rows: FeatureRows, seed: number): Embedding2d {
  const { n, d } = rows;
  const x = centred(rows);
  const random = new SeededRandom(deriveSeed(seed, 'pca'));
  let total = 0;
  for (const value of x) total += value * value;
  total /= n;
  const axes: Float64Array[] = [];
  const variances: number[] = [];
  for (let k = 0; k < 2; k++) {
    const v = Float64Array.from({ length: d }, () => random.uniform(-1, 1));
    let variance = 0;
    for (let iteration = 0; iteration < POWER_ITERATIONS; iteration++) {
      for (const axis of axes) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += axis[j] * v[j];
        for (let j = 0; j < d; j++) v[j] -= dot * axis[j];
      }
      if (normalise(v) === 0) break;
      const next = covarianceTimes(x, n, d, v);
      for (const axis of axes) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += axis[j] * next[j];
        for (let j = 0; j < d; j++) next[j] -= dot * axis[j];
      }
      variance = normalise(next);
      v.set(next);
      if (variance === 0) break;
    }
    let largest = 0;
    for (let j = 1; j < d; j++) if (Math.abs(v[j]) > Math.abs(v[largest])) largest = j;
    if (v[largest] < 0) for (let j = 0; j < d; j++) v[j] = -v[j];
    axes.push(v);
    variances.push(variance);
  }
  const project = (axis: Float64Array) =>
    Array.from({ length: n }, (_, i) => {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += x[i * d + j] * axis[j];
      return coordinate(dot);
    });
  return {
    method: 'pca',
    x: project(axes[0]),
    y: project(axes[1]),
    explainedVariance: [total > 0 ? variances[0] / total : 0, total > 0 ? variances[1] / total : 0],
  };
}

/** UMAP (McInnes et al. 2018, through umap-js) with its random draws seeded. */
export function umap2(rows: FeatureRows, seed: number): Embedding2d {
  const { values, n, d } = rows;
  const random = new SeededRandom(deriveSeed(seed, 'umap'));
  const data = Array.from({ length: n }, (_, i) => Array.from(values.subarray(i * d, (i + 1) * d)));
  // Below this many points umap-js's neighbour search cannot run; PCA still describes them.
  const nNeighbors = Math.min(15, n - 1);
  const points = new UMAP({ nComponents: 2, nNeighbors, nEpochs: 300, random: () => random.next() }).fit(data);
  return { method: 'umap', x: points.map((point) => coordinate(point[0])), y: points.map((point) => coordinate(point[1])) };
}
