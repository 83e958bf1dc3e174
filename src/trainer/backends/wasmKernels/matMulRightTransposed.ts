import { BatchMatMul } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batchMatMul';
import { asKernelFunc, release, runWasmKernel, type WasmKernelArgs } from './wasmKernelCalls';

/**
 * BatchMatMul with a transposed right operand, transposed explicitly first. The stock wasm kernel
 * is ~4-8x slower with transposeB than a transpose plus the plain product (measured at 4.22.0, in
 * one process: 64x120 by (400x120)^T 3.6 ms against 0.42 ms; 64x84 by (120x84)^T 0.74 against
 * 0.18 ms), so a dense layer's input gradient (dx = dy W^T, asked with transposeB) pays it every
 * step. Everything else, the transposed left operand included, goes on to batchMatMulConfig.
 */
const matMulRightTransposed = (args: WasmKernelArgs): TensorInfo => {
  const { inputs, backend, attrs } = args;
  const next = batchMatMulConfig.kernelFunc as unknown as (args: WasmKernelArgs) => TensorInfo;
  if (!attrs.transposeB) return next(args);
  const b = inputs.b as TensorInfo;
  const rank = b.shape.length;
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  const bT = runWasmKernel('Transpose', { x: b }, { perm }, backend);
  try {
    return next({ inputs: { ...inputs, b: bT }, backend, attrs: { ...attrs, transposeB: false } });
  } finally {
    release(backend, bT);
  }
};

export const matMulRightTransposedConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(matMulRightTransposed),
};
