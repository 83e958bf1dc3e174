import * as tf from '@tensorflow/tfjs-core';
import { distillationLoss } from './distillation';

/**
 * The gated aggregate of K branches' logits, per image: `z_e = sum_i g_i z_i`, with the gate's
 * weights `gate` [n, K] and each branch's logits [n, C] in `branchLogits` (K of them).
 */
export function aggregateLogits(gate: tf.Tensor2D, branchLogits: readonly tf.Tensor2D[]): tf.Tensor2D {
  if (gate.shape[1] !== branchLogits.length) throw new Error(`the gate weighs ${gate.shape[1]} branches, but ${branchLogits.length} are given`);
  return tf.tidy(() => tf.sum<tf.Tensor2D>(tf.mul(tf.expandDims(gate, 2), tf.stack([...branchLogits], 1)), 1));
}

/** `x` forward, no gradient back: what PyTorch's `.detach()` is, for a value computed on the gradient tape. */
export function heldConstant<T extends tf.Tensor>(x: T): T {
  const hold = tf.customGrad((...inputs) => ({ value: tf.clone(inputs[0] as tf.Tensor), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }));
  return hold(x) as T;
}

/**
 * A branch distilled toward the aggregate (ONE's KL term): `T^2 KL(softmax(z_e/T) || softmax(z_i/T))`,
 * batch mean, with z_e held constant, as ONE's code detaches its target: the aggregate teaches the
 * branch and is not pulled toward it (it learns from its own cross-entropy).
 */
export function ensembleDistillationLoss(aggregate: tf.Tensor2D, branch: tf.Tensor2D, temperature: number): tf.Scalar {
  return distillationLoss(heldConstant(aggregate), branch, temperature);
}
