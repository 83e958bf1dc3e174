import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The training kernels are compositions of the wasm backend's own kernels (XNNPACK convolutions,
 * pooling, transposes, slices), called directly rather than through tf ops: inside a kernel there
 * is no tape or tidy, and every TensorInfo a call returns is owned by the caller until `release`.
 */

/** A kernel's arguments as the wasm backend passes them (tfjs types `backend` as `{}`). */
export interface WasmKernelArgs {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs: NamedAttrMap;
}

/**
 * The parts of tfjs-backend-wasm's BackendWasm (4.22.0) that kernels working in JS on the heap use.
 * Allocate before taking views: an allocation may grow (and so replace) the heap's buffer.
 */
export interface HeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

export function onHeap(backend: KernelBackend): HeapBackend {
  return backend as unknown as HeapBackend;
}

export function asKernelFunc(kernel: (args: WasmKernelArgs) => TensorInfo | TensorInfo[]): KernelFunc {
  return kernel as unknown as KernelFunc;
}

/** The wasm backend's own kernels that an override replaced in the registry. */
const stockKernels = new Map<string, tf.KernelConfig>();

export function keepStockKernel(config: tf.KernelConfig): void {
  stockKernels.set(config.kernelName, config);
}

/** Runs the wasm backend's own implementation of a kernel that an override replaced. */
export function runStockKernel(kernelName: string, args: WasmKernelArgs): TensorInfo {
  const config = stockKernels.get(kernelName);
  if (!config) throw new Error(`no stock wasm ${kernelName} kernel was kept`);
  return config.kernelFunc(args) as TensorInfo;
}

/** Runs a wasm kernel (the stock one where an override exists) and returns its single output. */
export function runWasmKernel(kernelName: string, inputs: NamedTensorInfoMap, attrs: object, backend: KernelBackend): TensorInfo {
  const config = stockKernels.get(kernelName) ?? tf.getKernel(kernelName, 'wasm');
  if (!config) throw new Error(`wasm backend has no ${kernelName} kernel`);
  return config.kernelFunc({ inputs, attrs: attrs as NamedAttrMap, backend }) as TensorInfo;
}

/** Frees intermediate results (each call's output holds one reference). */
export function release(backend: KernelBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}
