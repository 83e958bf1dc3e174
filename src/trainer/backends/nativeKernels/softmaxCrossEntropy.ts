import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { softmaxCrossEntropyKernel } from '../gradients/softmaxCrossEntropy';
import { floatType, type NodeBackend } from './nativeOps';

/** TensorFlow's SoftmaxCrossEntropyWithLogits: loss and backprop in one op. */
const softmaxCrossEntropy: KernelFunc = (args) => {
  const backend = args.backend as unknown as NodeBackend;
  const { logits, labels } = args.inputs as Record<string, TensorInfo>;
  return backend.executeMultipleOutputs('SoftmaxCrossEntropyWithLogits', floatType(backend), [logits, labels], 2);
};

export const nativeSoftmaxCrossEntropyConfig: KernelConfig = {
  kernelName: softmaxCrossEntropyKernel,
  backendName: 'tensorflow',
  kernelFunc: softmaxCrossEntropy,
};
