import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradient-reversal layer (DANN): identity on the way forward, gradient multiplied by `-delta` on
 * the way back, so that the feature extractor learns to fool the domain discriminator that sits
 * behind it while the discriminator itself learns to tell the domains apart.
 */
export function reverseGradient(features: tf.Tensor, delta: number): tf.Tensor {
  const reverse = tf.customGrad((...inputs) => ({
    value: tf.clone(inputs[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.mul(dy, -delta),
  }));
  return reverse(features);
}
