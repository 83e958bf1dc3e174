import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';

/**
 * Softmax cross-entropy per row as one kernel, where a backend has it (TensorFlow's
 * SoftmaxCrossEntropyWithLogits): inputs logits and labels [n, C], each label row a probability
 * distribution (one-hot for classes); outputs the loss [n] and its gradient with respect to the
 * logits, softmax(logits) - labels [n, C], computed in the same pass. tfjs composes the same from
 * log-softmax, a product and a sum, about two dozen small ops forward and back, which at a batch of
 * 64 cost more than the convolutions' dispatch in a LeNet step.
 */
export const softmaxCrossEntropyKernel = 'KdUdaSoftmaxCrossEntropy';

/** Whether the active backend has the kernel and its gradient is registered. */
export function hasSoftmaxCrossEntropyKernel(): boolean {
  return Boolean(tf.getKernel(softmaxCrossEntropyKernel, tf.getBackend()) && tf.getGradient(softmaxCrossEntropyKernel));
}

/** Loss per row [n]; only call where `hasSoftmaxCrossEntropyKernel()`. */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  return tf.engine().runKernel<Tensor[]>(softmaxCrossEntropyKernel, { logits, labels }, {})[0];
}

export const softmaxCrossEntropyGradient: GradConfig = {
  kernelName: softmaxCrossEntropyKernel,
  inputsToSave: ['logits'],
  outputsToSave: [false, true],
  gradFunc: (dys, saved) => {
    const perRow = tf.expandDims((dys as Tensor[])[0], 1);
    const [logits, backprop] = saved;
    return {
      logits: () => tf.mul(backprop, perRow),
      labels: () => tf.mul(tf.neg(tf.logSoftmax(logits)), perRow),
    };
  },
};
