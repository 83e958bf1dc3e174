import * as tf from '@tensorflow/tfjs-core';
import { nativeBatchNormTrainingConfigs } from './batchNormTraining';
import { nativeReluGradConfig } from './reluGrad';
import { nativeSoftmaxCrossEntropyConfig } from './softmaxCrossEntropy';
import { nativeStepConfig } from './step';

const overrides: Record<string, (stock: tf.KernelConfig) => tf.KernelConfig> = {
  Step: nativeStepConfig,
};

/**
 * Replaces tfjs-node kernels that a training profile shows are composed of many TensorFlow ops
 * where one or two do, and adds the one-op kernels this project's gradients use. Runs after
 * tfjs-node has registered its own; keeps the stock kernel for the cases an override hands back.
 * Idempotent. Returns the names replaced or added.
 */
export function registerNativeKernels(): string[] {
  const replaced: string[] = [];
  for (const [kernelName, build] of Object.entries(overrides)) {
    const stock = tf.getKernel(kernelName, 'tensorflow');
    if (!stock || (stock as { kdUda?: boolean }).kdUda) continue;
    tf.unregisterKernel(kernelName, 'tensorflow');
    tf.registerKernel({ ...build(stock), kdUda: true } as tf.KernelConfig);
    replaced.push(kernelName);
  }
  // Kernels tfjs has no name for, used by this project's gradients (see ../gradients).
  for (const config of [nativeReluGradConfig, nativeSoftmaxCrossEntropyConfig, ...nativeBatchNormTrainingConfigs]) {
    if (!tf.getKernel(config.kernelName, config.backendName)) {
      tf.registerKernel(config);
      replaced.push(config.kernelName);
    }
  }
  return replaced;
}
