import { Identity } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { asKernelFunc, type WasmKernelArgs } from './wasmKernelCalls';

/**
 * Identity shares the input's buffer (one more reference) instead of copying it, as the cpu
 * backend and the wasm Reshape do: kernels never write into their inputs, so sharing is safe.
 * Optimisers and layers call it hundreds of times a step.
 */
const identity = ({ inputs, backend }: WasmKernelArgs): TensorInfo => {
  const x = inputs.x as TensorInfo;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};

export const identityConfig: KernelConfig = { kernelName: Identity, backendName: 'wasm', kernelFunc: asKernelFunc(identity) };
