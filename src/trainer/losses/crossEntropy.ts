import * as tf from '@tensorflow/tfjs-core';
import { hasSoftmaxCrossEntropyKernel, softmaxCrossEntropy } from '../backends/gradients/softmaxCrossEntropy';

/** Mean softmax cross-entropy of `logits` [n, C] against integer class `labels` [n]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[1];
    const oneHot = tf.oneHot(tf.cast(labels, 'int32'), classes);
    if (logits.dtype === 'float32' && hasSoftmaxCrossEntropyKernel()) {
      return tf.mean<tf.Scalar>(softmaxCrossEntropy(logits, tf.cast(oneHot, 'float32')));
    }
    const picked = tf.sum(tf.mul(tf.logSoftmax(logits), oneHot), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}
