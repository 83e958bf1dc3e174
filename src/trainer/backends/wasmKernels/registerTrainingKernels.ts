import * as tf from '@tensorflow/tfjs-core';
import { batchMatMulConfig, fusedMatMulConfig } from './batchMatMul';
import { wasmBatchNormTrainingConfigs } from './batchNormTraining';
import { castConfig } from './cast';
import { conv2DBackpropFilterConfig } from './conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './conv2DBackpropInput';
import { identityConfig } from './identity';
import { maxPoolGradConfig } from './maxPoolGrad';
import { meanConfig } from './mean';
import { wasmSoftmaxCrossEntropyConfig } from './softmaxCrossEntropy';
import { sumConfig } from './sum';
import { tileConfig } from './tile';
import { keepStockKernel } from './wasmKernelCalls';

/** The kernels a training step needs that the wasm backend lacks or runs slowly. */
export const wasmTrainingKernels: tf.KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  batchMatMulConfig,
  fusedMatMulConfig,
  tileConfig,
  sumConfig,
  meanConfig,
  identityConfig,
  castConfig,
  maxPoolGradConfig,
  ...wasmBatchNormTrainingConfigs,
  wasmSoftmaxCrossEntropyConfig,
];

let registered = false;

/**
 * Puts the training kernels into the registry in place of the wasm backend's own (kept for the
 * cases an override hands back, and for their setup, which binds the wasm exports when the backend
 * starts). Must run before the backend is initialised so every setup runs. Idempotent.
 */
export function registerWasmTrainingKernels(): string[] {
  if (registered) return wasmTrainingKernels.map((config) => config.kernelName);
  for (const config of wasmTrainingKernels) {
    const stock = tf.getKernel(config.kernelName, 'wasm');
    let setupFunc = config.setupFunc;
    if (stock) {
      keepStockKernel(stock);
      tf.unregisterKernel(config.kernelName, 'wasm');
      setupFunc = stock.setupFunc;
    }
    tf.registerKernel({ ...config, setupFunc });
  }
  registered = true;
  return wasmTrainingKernels.map((config) => config.kernelName);
}
