import * as tf from '@tensorflow/tfjs-core';
import type { DataLoader } from '../data/dataLoader';
import type { Sample } from '../data/samples';

/** A model as evaluation sees it: images in, logits out (inference mode). */
export type Classify = (images: tf.Tensor4D) => tf.Tensor2D;

/** One model on one domain's evaluation split. */
export interface DomainScore {
  accuracy: number;
  images: number;
  /** Mean prediction entropy (nats): a label-free signal, usable on targets. */
  entropy: number;
  /** confusion[true][predicted]. */
  confusion: number[][];
}

export interface EvalDomain {
  /** A target's name, or `source-holdout`. */
  name: string;
  domain: string;
  samples: readonly Sample[];
}

/**
 * Scores every model on every domain, decoding each domain's images once for all models.
 * Returns scores[model][domain].
 */
export async function evaluateModels(
  loader: DataLoader,
  models: Record<string, Classify>,
  domains: readonly EvalDomain[],
  classes: number,
  batchSize: number,
): Promise<Record<string, Record<string, DomainScore>>> {
  const scores: Record<string, Record<string, DomainScore>> = Object.fromEntries(Object.keys(models).map((role) => [role, {}]));
  for (const { name, domain, samples } of domains) {
    const confusion = Object.fromEntries(Object.keys(models).map((role) => [role, Array.from({ length: classes }, () => new Array<number>(classes).fill(0))]));
    const entropySum = Object.fromEntries(Object.keys(models).map((role) => [role, 0]));
    let images = 0;
    for await (const batch of loader.evalBatches(samples, batchSize, domain)) {
      images += batch.labels.length;
      for (const [role, classify] of Object.entries(models)) {
        const [predicted, entropy] = tf.tidy(() => {
          const logits = classify(tf.tensor4d(batch.images, batch.shape));
          const logP = tf.logSoftmax(logits);
          return [tf.argMax(logits, 1).dataSync(), tf.sum(tf.neg(tf.mul(tf.exp(logP), logP))).dataSync()[0]] as const;
        });
        batch.labels.forEach((label, i) => confusion[role][label][predicted[i]]++);
        entropySum[role] += entropy;
      }
    }
    for (const role of Object.keys(models)) {
      const correct = confusion[role].reduce((sum, row, k) => sum + row[k], 0);
      scores[role][name] = { accuracy: images ? correct / images : 0, images, entropy: images ? entropySum[role] / images : 0, confusion: confusion[role] };
    }
  }
  return scores;
}

// One definition for the run's results and the checkpoint diff, so their per-class figures agree.
export { perClassAccuracy } from '../../checkpointDiff/predictionComparison';
