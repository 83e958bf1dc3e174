import * as tf from '@tensorflow/tfjs-core';
import type { Experiment } from '../../experiment/experiment';

/** SGD with momentum (the papers' choice) or Adam; the learning rate is set again every epoch. */
export function createOptimizer(settings: Experiment['optimizer'], learningRate: number): tf.Optimizer {
  return settings.name === 'adam' ? tf.train.adam(learningRate) : tf.train.momentum(learningRate, settings.momentum);
}

export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  // SGD and momentum step with a constant tensor made by their setter, and ignore a plain
  // assignment to `learningRate`; Adam has no setter and reads the field on every update.
  const sgd = optimizer as unknown as { learningRate: number; setLearningRate?: (rate: number) => void };
  if (typeof sgd.setLearningRate === 'function') sgd.setLearningRate(learningRate);
  else sgd.learningRate = learningRate;
}

/**
 * Weight decay as an L2 penalty `wd/2 * sum ||w||^2` over kernels only (not biases or batch-norm
 * parameters), which for SGD is exactly PyTorch's `weight_decay`.
 */
export function weightDecayPenalty(variables: readonly tf.Variable[], weightDecay: number): tf.Scalar | undefined {
  const kernels = variables.filter((variable) => /kernel/.test(variable.name));
  if (weightDecay === 0 || kernels.length === 0) return undefined;
  return tf.mul<tf.Scalar>(tf.addN(kernels.map((kernel) => tf.sum(tf.square(kernel)))), weightDecay / 2);
}
