/**
 * How two models' predictions on the same images compare: each one's accuracy, per-class accuracy
 * and confusion matrix, and between them the top-1 agreement and the KL divergence of their
 * softmax distributions. Pure arithmetic on logit matrices, so it is tested on hand-computed values.
 */
import type { ModelOnDomain } from './reportFormat';

/** confusion[true][predicted] from labels and row-major logits (`classes` columns). */
export function confusionMatrix(labels: ArrayLike<number>, logits: ArrayLike<number>, classes: number): number[][] {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) confusion[labels[i]][argmaxRow(logits, i, classes)]++;
  return confusion;
}

/** Per-class accuracy from a confusion matrix; a class with no images scores null (not NaN). */
export function perClassAccuracy(confusion: readonly (readonly number[])[]): (number | null)[] {
  return confusion.map((row, k) => {
    const total = row.reduce((sum, count) => sum + count, 0);
    return total ? row[k] / total : null;
  });
}

export function accuracyOf(confusion: readonly (readonly number[])[]): number {
  let correct = 0;
  let total = 0;
  confusion.forEach((row, k) => {
    correct += row[k];
    for (const count of row) total += count;
  });
  return total ? correct / total : 0;
}

export function scoreModel(labels: ArrayLike<number>, logits: ArrayLike<number>, classes: number): ModelOnDomain {
  const confusion = confusionMatrix(labels, logits, classes);
  return { accuracy: accuracyOf(confusion), perClass: perClassAccuracy(confusion), confusion };
}

/** Index of the largest logit of row `row`; ties go to the lower class, as tf.argMax does. */
function argmaxRow(logits: ArrayLike<number>, row: number, classes: number): number {
  const offset = row * classes;
  let best = 0;
  for (let k = 1; k < classes; k++) if (logits[offset + k] > logits[offset + best]) best = k;
  return best;
}

/** log softmax of one row, computed from the row's maximum so large logits do not overflow. */
function logSoftmaxRow(logits: ArrayLike<number>, row: number, classes: number): Float64Array {
  const offset = row * classes;
  let max = -Infinity;
  for (let k = 0; k < classes; k++) max = Math.max(max, logits[offset + k]);
  let sum = 0;
  for (let k = 0; k < classes; k++) sum += Math.exp(logits[offset + k] - max);
  const logSum = max + Math.log(sum);
  const out = new Float64Array(classes);
  for (let k = 0; k < classes; k++) out[k] = logits[offset + k] - logSum;
  return out;
}

/** KL(p || q) = sum_k p_k (log p_k - log q_k), from log-probabilities; 0 log 0 counts as 0. */
function klDivergence(logP: Float64Array, logQ: Float64Array): number {
  let kl = 0;
  for (let k = 0; k < logP.length; k++) {
    const p = Math.exp(logP[k]);
    if (p > 0) kl += p * (logP[k] - logQ[k]);
  }
  // Rounding can leave a tiny negative value for identical distributions; KL is never negative.
  return Math.max(0, kl);
}

export interface PredictionAgreement {
  images: number;
  /** Fraction of images where both models' top-1 classes are the same. */
  agreement: number;
  /** Mean KL(softmax(A) || softmax(B)) in nats. */
  klAB: number;
  /** Mean KL(softmax(B) || softmax(A)) in nats. */
  klBA: number;
}

/** Agreement and mean KL divergences between two row-major logit matrices of the same images. */
export function comparePredictions(logitsA: ArrayLike<number>, logitsB: ArrayLike<number>, classes: number): PredictionAgreement {
  if (logitsA.length !== logitsB.length || logitsA.length % classes !== 0) {
    throw new Error(`the two logit matrices do not match: ${logitsA.length} and ${logitsB.length} values for ${classes} classes`);
  }
  const images = logitsA.length / classes;
  let agree = 0;
  let klAB = 0;
  let klBA = 0;
  for (let i = 0; i < images; i++) {
    if (argmaxRow(logitsA, i, classes) === argmaxRow(logitsB, i, classes)) agree++;
    const logP = logSoftmaxRow(logitsA, i, classes);
    const logQ = logSoftmaxRow(logitsB, i, classes);
    klAB += klDivergence(logP, logQ);
    klBA += klDivergence(logQ, logP);
  }
  return images ? { images, agreement: agree / images, klAB: klAB / images, klBA: klBA / images } : { images, agreement: 0, klAB: 0, klBA: 0 };
}
