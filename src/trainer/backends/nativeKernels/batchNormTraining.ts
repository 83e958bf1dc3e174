import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { batchNormTrainingGradKernel, batchNormTrainingKernel, type BatchNormTrainingAttrs } from '../gradients/batchNormTraining';
import { release, type NodeBackend, type OpAttribute } from './nativeOps';

/**
 * TensorFlow's FusedBatchNormV3 in training mode and its gradient op (NHWC, rank 4, float32).
 * Of the op's six outputs the kernel keeps y, reserve_space_1 (the batch mean), reserve_space_2
 * (the batch's biased variance, what the stock layer's moving averages use; output 2 is the
 * Bessel-corrected one) and reserve_space_3 (what the gradient op takes back).
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

const forward: KernelFunc = (args) => {
  const backend = args.backend as unknown as NodeBackend;
  const { x, scale, offset } = args.inputs as Record<string, TensorInfo>;
  const { varianceEpsilon } = args.attrs as unknown as BatchNormTrainingAttrs;
  // The population mean and variance inputs are for inference; training takes them empty.
  const empty: TensorInfo = { dataId: backend.write(new Float32Array(0), [0], 'float32'), shape: [0], dtype: 'float32' };
  const [normalized, correctedMean, correctedVariance, mean, variance, reserve] = backend.executeMultipleOutputs('FusedBatchNormV3',
    attributes(backend, varianceEpsilon, true), [x, scale, offset, empty, empty], 6);
  release(backend, empty, correctedMean, correctedVariance);
  return [normalized, mean, variance, reserve];
};

const gradient: KernelFunc = (args) => {
  const backend = args.backend as unknown as NodeBackend;
  const { dy, x, scale, mean, variance, reserve } = args.inputs as Record<string, TensorInfo>;
  const { varianceEpsilon } = args.attrs as unknown as BatchNormTrainingAttrs;
  const [dx, dscale, doffset, unused4, unused5] = backend.executeMultipleOutputs('FusedBatchNormGradV3',
    attributes(backend, varianceEpsilon, false), [dy, x, scale, mean, variance, reserve], 5);
  release(backend, unused4, unused5);
  return [dx, dscale, doffset];
};

export const nativeBatchNormTrainingConfigs: KernelConfig[] = [
  { kernelName: batchNormTrainingKernel, backendName: 'tensorflow', kernelFunc: forward },
  { kernelName: batchNormTrainingGradKernel, backendName: 'tensorflow', kernelFunc: gradient },
];
