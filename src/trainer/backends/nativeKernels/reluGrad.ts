import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { reluGradKernel } from '../gradients/reluGradient';
import { floatType, type NodeBackend } from './nativeOps';

/** dy * (x > 0) as TensorFlow's own ReluGrad op: one pass instead of three tfjs ops. */
const reluGrad: KernelFunc = (args) => {
  const backend = args.backend as unknown as NodeBackend;
  return backend.executeSingleOutput('ReluGrad', floatType(backend), [args.inputs.dy as TensorInfo, args.inputs.x as TensorInfo]);
};

export const nativeReluGradConfig: KernelConfig = { kernelName: reluGradKernel, backendName: 'tensorflow', kernelFunc: reluGrad };
