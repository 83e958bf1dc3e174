import { Cast } from '@tensorflow/tfjs-core';
import type { CastAttrs, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { asKernelFunc, runStockKernel, type WasmKernelArgs } from './wasmKernelCalls';

/**
 * A cast to the dtype a tensor already has shares its buffer (like Identity) instead of copying it.
 * Every ReLU gradient casts its float32 step mask to float32.
 */
const cast = (args: WasmKernelArgs): TensorInfo => {
  const x = args.inputs.x as TensorInfo;
  const { dtype } = args.attrs as unknown as CastAttrs;
  if (dtype !== x.dtype) return runStockKernel(Cast, args);
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype };
};

export const castConfig: KernelConfig = { kernelName: Cast, backendName: 'wasm', kernelFunc: asKernelFunc(cast) };
