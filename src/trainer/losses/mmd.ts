import * as tf from '@tensorflow/tfjs-core';

/** DAN's defaults: five Gaussian kernels whose bandwidths step by a factor of 2 around the data's. */
export const MMD_KERNELS = 5;
export const MMD_KERNEL_MULTIPLIER = 2;

/** Squared Euclidean distances between every pair of rows of `x` [n, d]. */
function pairwiseSquaredDistances(x: tf.Tensor2D): tf.Tensor2D {
  const norms = tf.sum(tf.square(x), 1, true);
  return tf.relu(tf.add(tf.sub(norms, tf.mul(tf.matMul(x, x, false, true), 2)), tf.transpose(norms))) as tf.Tensor2D;
}

/**
 * Multi-kernel maximum mean discrepancy (DAN-style, biased estimate) between source and target
 * features: `mean K(s,s) + mean K(t,t) - 2 mean K(s,t)` with K a sum of Gaussian kernels. The base
 * bandwidth is the mean pairwise squared distance of the pooled batch, held constant for the
 * gradient, as DAN does.
 */
export function multiKernelMmd(source: tf.Tensor2D, target: tf.Tensor2D, kernels = MMD_KERNELS, multiplier = MMD_KERNEL_MULTIPLIER): tf.Scalar {
  return tf.tidy(() => {
    const ns = source.shape[0];
    const nt = target.shape[0];
    const n = ns + nt;
    const distances = pairwiseSquaredDistances(tf.concat<tf.Tensor2D>([source, target], 0));
    const meanDistance = tf.div(tf.sum(distances), n * n - n).dataSync()[0] || 1;
    const base = meanDistance / Math.pow(multiplier, Math.floor(kernels / 2));
    let kernel = tf.zerosLike(distances);
    for (let k = 0; k < kernels; k++) kernel = tf.add(kernel, tf.exp(tf.div(tf.neg(distances), base * Math.pow(multiplier, k))));
    const ss = tf.mean(tf.slice(kernel, [0, 0], [ns, ns]));
    const tt = tf.mean(tf.slice(kernel, [ns, ns], [nt, nt]));
    const st = tf.mean(tf.slice(kernel, [0, ns], [ns, nt]));
    return tf.sub<tf.Scalar>(tf.add(ss, tt), tf.mul(st, 2));
  });
}
