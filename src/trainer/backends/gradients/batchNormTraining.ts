import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

/**
 * Batch normalisation of a training step as one kernel, where a backend has it: the batch's
 * per-channel moments and the normalised output in one pass, and all three gradients in one more
 * (TensorFlow's FusedBatchNormV3 and its gradient). The stock layer builds the same from moments,
 * a normalisation and their gradients, some forty full-size ops per layer in a training step.
 *
 * Inputs x ([..., C], channels last), scale and offset ([C]); attribute varianceEpsilon. Outputs:
 * the normalised x, the batch mean and the batch's biased variance (what the moving averages of the
 * stock layer are updated with), then reserve1, reserve2 and reserve3: whatever the backend's
 * gradient needs again, and only that (what they hold differs between backends and devices).
 */
export const batchNormTrainingKernel = 'KdUdaBatchNormTraining';

/** Inputs dy, x, scale, reserve1, reserve2, reserve3 (the forward's); outputs dx, dscale, doffset. */
export const batchNormTrainingGradKernel = 'KdUdaBatchNormTrainingGrad';

export interface BatchNormTrainingAttrs {
  varianceEpsilon: number;
}

export interface BatchNormInTraining {
  normalized: Tensor;
  mean: Tensor;
  variance: Tensor;
}

/**
 * Whether the active backend has the fused kernels and their gradient is registered (the trainer's
 * backend start-up does both); only then may `batchNormInTraining` be called.
 */
export function hasBatchNormTrainingKernel(): boolean {
  const backend = tf.getBackend();
  return Boolean(
    tf.getKernel(batchNormTrainingKernel, backend) && tf.getKernel(batchNormTrainingGradKernel, backend) && tf.getGradient(batchNormTrainingKernel),
  );
}

export function batchNormInTraining(x: Tensor, scale: Tensor, offset: Tensor, varianceEpsilon: number): BatchNormInTraining {
  const attrs: BatchNormTrainingAttrs = { varianceEpsilon };
  // The reserves are only for the gradient: the tape keeps its own copies.
  const [normalized, mean, variance] = tf.engine().runKernel<Tensor[]>(batchNormTrainingKernel, { x, scale, offset }, attrs as unknown as NamedAttrMap);
  return { normalized, mean, variance };
}

/**
 * The batch mean and variance are outputs for the moving averages only: no gradient flows back
 * through them (the stock layer's moving-average update is not on any loss's path either).
 */
export const batchNormTrainingGradient: GradConfig = {
  kernelName: batchNormTrainingKernel,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, false, false, true, true, true],
  gradFunc: (dys, saved, attrs) => {
    const dy = (dys as Tensor[])[0];
    const [x, scale, reserve1, reserve2, reserve3] = saved;
    const [dx, dscale, doffset] = tf.engine().runKernel<Tensor[]>(batchNormTrainingGradKernel, { dy, x, scale, reserve1, reserve2, reserve3 }, attrs);
    return { x: () => dx, scale: () => dscale, offset: () => doffset };
  },
};
