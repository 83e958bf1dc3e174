import * as tf from '@tensorflow/tfjs-core';

/** Mean softmax cross-entropy of `logits` [n, C] against integer class `labels` [n]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[1];
    const logProbabilities = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logProbabilities, tf.oneHot(tf.cast(labels, 'int32'), classes)), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}
