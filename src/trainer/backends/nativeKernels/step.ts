import { Step } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, StepAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { floatType, release, type NodeBackend } from './nativeOps';

/**
 * Step (x > 0 ? 1 : alpha, NaN stays NaN) is what every ReLU's gradient multiplies by. tfjs-node
 * builds it from six full-size ops (isNaN, greater, ones, fill, where, select); for alpha = 0,
 * Sign(Relu(x)) is the same function in two TensorFlow ops.
 */
export function nativeStepConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs.x as TensorInfo;
    const { alpha } = args.attrs as unknown as StepAttrs;
    if (x.dtype !== 'float32' || (alpha ?? 0) !== 0) return stock.kernelFunc(args);
    const backend = args.backend as unknown as NodeBackend;
    const attrs = floatType(backend);
    const relu = backend.executeSingleOutput('Relu', attrs, [x]);
    const sign = backend.executeSingleOutput('Sign', attrs, [relu]);
    release(backend, relu);
    return sign;
  };
  return { kernelName: Step, backendName: 'tensorflow', kernelFunc };
}
