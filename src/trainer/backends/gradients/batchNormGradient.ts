import * as tf from '@tensorflow/tfjs-core';
import { backend_util, FusedBatchNorm } from '@tensorflow/tfjs-core';
import type { FusedBatchNormAttrs, GradConfig, Tensor } from '@tensorflow/tfjs-core';

/**
 * Gradient of batch normalisation (kernel FusedBatchNorm), the same mathematics as tfjs-core's but
 * in three full-size ops and two reductions instead of ten, a tile and three: the per-channel
 * factors are computed on [C] vectors and broadcast, and the two sums the inputs' gradients share
 * (sum dy, sum dy * (x - mean)) are computed once. Batch norm follows every conv of the ResNet
 * teacher, so this is a large share of a training step on every backend.
 */
export const batchNormGradient: GradConfig = {
  kernelName: FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dyOrDys, saved, attrs) => {
    const dy = dyOrDys as Tensor;
    const { varianceEpsilon } = attrs as unknown as FusedBatchNormAttrs;
    const [x, mean, variance, scale] = saved;
    const axes = backend_util.getReductionAxes(mean.shape, x.shape);
    const perChannel = (t: Tensor) => tf.reshape(axes.length > 0 ? tf.sum(t, axes) : t, mean.shape);
    const invStd = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const gain = scale == null ? invStd : tf.mul(invStd, scale);
    // Shared by several inputs' gradients, so computed here: the engine runs each input's gradient
    // function in its own tidy, which would dispose a value one of them cached for the others.
    const sumDy = perChannel(dy);
    const sumDyCentered = perChannel(tf.mul(dy, tf.sub(x, mean)));
    return {
      x: () => tf.mul(dy, gain),
      mean: () => tf.neg(tf.mul(sumDy, gain)),
      // d/dvar of (x - mean) * gain = -0.5 * scale * invStd^3 * (x - mean)
      variance: () => tf.mul(sumDyCentered, tf.mul(tf.mul(gain, tf.square(invStd)), tf.scalar(-0.5))),
      scale: () => tf.mul(sumDyCentered, invStd),
      offset: () => tf.clone(sumDy),
    };
  },
};
