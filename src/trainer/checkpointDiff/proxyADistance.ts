import type { ProxyADistance } from '../../checkpointDiff/reportFormat';
import { deriveSeed, SeededRandom } from '../data/seededRandom';
import type { FeatureRows } from './embedding';

const STEPS = 300;
const LEARNING_RATE = 0.1;
/** L2 weight: with more features than images the two halves are always separable; this keeps ε honest. */
const WEIGHT_DECAY = 0.01;

/** Row indices 0..n-1 in a seeded order. */
function shuffled(n: number, random: SeededRandom): number[] {
  return random.shuffle(Array.from({ length: n }, (_, i) => i));
}

/**
 * Proxy A-distance between two samples of features (Ben-David et al. 2010): the same number of
 * images from each, shuffled with `seed`, half of each to train a linear domain classifier
 * (logistic regression on standardised features, full-batch gradient descent, L2), the other half
 * to measure its error ε; then 2(1 − 2ε), with ε above ½ (worse than chance) taken as ½. Needs at
 * least 4 images on each side.
 */
export function proxyADistance(source: FeatureRows, target: FeatureRows, seed: number, targetName: string): ProxyADistance {
  const d = source.d;
  if (target.d !== d) throw new Error(`proxy A-distance: ${d} source features against ${target.d} target features`);
  const perDomain = Math.min(source.n, target.n);
  if (perDomain < 4) throw new Error(`proxy A-distance: ${perDomain} images per domain, need at least 4`);
  const random = new SeededRandom(deriveSeed(seed, 'proxy-a-distance', targetName));
  const trainImages = Math.floor(perDomain / 2);
  const testImages = perDomain - trainImages;
  const pick = (rows: FeatureRows) => shuffled(rows.n, random).slice(0, perDomain);
  const sides = [
    { rows: source, order: pick(source), label: 0 },
    { rows: target, order: pick(target), label: 1 },
  ];
  const split = (from: number, to: number) =>
    sides.flatMap(({ rows, order, label }) => order.slice(from, to).map((row) => ({ features: rows.values.subarray(row * d, (row + 1) * d), label })));
  const train = split(0, trainImages);
  const test = split(trainImages, perDomain);

  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (const { features } of train) for (let j = 0; j < d; j++) mean[j] += features[j] / train.length;
  for (const { features } of train) for (let j = 0; j < d; j++) scale[j] += (features[j] - mean[j]) ** 2 / train.length;
  // A feature constant on the training half carries no information: it stays at zero.
  for (let j = 0; j < d; j++) scale[j] = scale[j] > 1e-12 ? 1 / Math.sqrt(scale[j]) : 0;
  const standardise = (features: Float32Array) => Float64Array.from(features, (value, j) => (value - mean[j]) * scale[j]);
  const trainX = train.map(({ features }) => standardise(features));
  const testX = test.map(({ features }) => standardise(features));

  const weights = new Float64Array(d);
  let bias = 0;
  const logit = (x: Float64Array) => {
    let sum = bias;
    for (let j = 0; j < d; j++) sum += weights[j] * x[j];
    return sum;
  };
  const gradient = new Float64Array(d);
  for (let step = 0; step < STEPS; step++) {
    gradient.fill(0);
    let biasGradient = 0;
    train.forEach(({ label }, i) => {
      const residual = 1 / (1 + Math.exp(-logit(trainX[i]))) - label;
      for (let j = 0; j < d; j++) gradient[j] += residual * trainX[i][j];
      biasGradient += residual;
    });
    for (let j = 0; j < d; j++) weights[j] -= LEARNING_RATE * (gradient[j] / train.length + WEIGHT_DECAY * weights[j]);
    bias -= (LEARNING_RATE * biasGradient) / train.length;
  }
  const wrong = test.filter(({ label }, i) => (logit(testX[i]) > 0 ? 1 : 0) !== label).length;
  const error = wrong / test.length;
  return { target: targetName, aDistance: 2 * (1 - 2 * Math.min(error, 0.5)), error, trainImages, testImages };
}
