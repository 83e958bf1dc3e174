import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { batchNormTrainingGradKernel, batchNormTrainingKernel, type BatchNormTrainingAttrs } from '../gradients/batchNormTraining';
import { floatType, release, type NodeBackend, type OpAttribute } from './nativeOps';

/**
 * TensorFlow's FusedBatchNormV3 in training mode and its gradient op (NHWC, rank 4, float32).
 * Outputs 1 and 2 are the batch mean and the Bessel-corrected batch variance on every device; the
 * three reserve spaces differ (on the CPU the mean and the biased variance, under cuDNN the mean
 * and the inverse standard deviation) and go, untouched, to the gradient op only. The moving
 * averages take the biased variance, as the stock layer's do: output 2 times (n - 1) / n.
 */
function attributes(backend: NodeBackend, epsilon: number, forward: boolean): OpAttribute[] {
  const { binding } = backend;
  return [
    { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
    { name: 'U', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
    { name: 'epsilon', type: binding.TF_ATTR_FLOAT, value: epsilon },
    ...(forward ? [{ name: 'exponential_avg_factor', type: binding.TF_ATTR_FLOAT, value: 1 }] : []),
    { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: binding.TF_ATTR_BOOL, value: true },
  ];
}

/** A float32 tensor written straight to the backend (freed with `release`). */
function constant(backend: NodeBackend, values: number[], shape: number[]): TensorInfo {
  return { dataId: backend.write(Float32Array.from(values), shape, 'float32'), shape, dtype: 'float32' };
}

const forward: KernelFunc = (args) => {
  const backend = args.backend as unknown as NodeBackend;
  const { x, scale, offset } = args.inputs as Record<string, TensorInfo>;
  const { varianceEpsilon } = args.attrs as unknown as BatchNormTrainingAttrs;
  // The population mean and variance inputs are for inference; training takes them empty.
  const empty = constant(backend, [], [0]);
  const [normalized, mean, correctedVariance, reserve1, reserve2, reserve3] = backend.executeMultipleOutputs(
    'FusedBatchNormV3',
    attributes(backend, varianceEpsilon, true),
    [x, scale, offset, empty, empty],
    6,
  );
  const count = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  // One value per channel has variance 0, where the corrected one divides by n - 1 = 0.
  const uncorrect = constant(backend, [(count - 1) / count], []);
  const variance =
    count > 1
      ? backend.executeSingleOutput('Mul', floatType(backend), [correctedVariance, uncorrect])
      : backend.executeSingleOutput('ZerosLike', floatType(backend), [mean]);
  release(backend, empty, uncorrect, correctedVariance);
  return [normalized, mean, variance, reserve1, reserve2, reserve3];
};

const gradient: KernelFunc = (args) => {
  const backend = args.backend as unknown as NodeBackend;
  const { dy, x, scale, reserve1, reserve2, reserve3 } = args.inputs as Record<string, TensorInfo>;
  const { varianceEpsilon } = args.attrs as unknown as BatchNormTrainingAttrs;
  const [dx, dscale, doffset, unused4, unused5] = backend.executeMultipleOutputs(
    'FusedBatchNormGradV3',
    attributes(backend, varianceEpsilon, false),
    [dy, x, scale, reserve1, reserve2, reserve3],
    5,
  );
  release(backend, unused4, unused5);
  return [dx, dscale, doffset];
};

export const nativeBatchNormTrainingConfigs: KernelConfig[] = [
  { kernelName: batchNormTrainingKernel, backendName: 'tensorflow', kernelFunc: forward },
  { kernelName: batchNormTrainingGradKernel, backendName: 'tensorflow', kernelFunc: gradient },
];
