import { _FusedMatMul, BatchMatMul } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { asKernelFunc, release, runStockKernel, runWasmKernel, type WasmKernelArgs } from './wasmKernelCalls';

/**
 * The wasm matmul handles a transposed left operand with a strided scalar loop, far slower than
 * transposing it first and using the XNNPACK path. Every backward pass of a dense layer asks for
 * exactly that (dW = x^T dy), so transpose explicitly and hand the stock kernel the fast case.
 * A transposed right operand (dx = dy W^T) is also slower than a transpose and the plain product,
 * and the fused kernel gets it wrong with a bias: both kernels get both operands transposed first.
 */
function withOperandsTransposed(kernelName: string): (args: WasmKernelArgs) => TensorInfo {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const left = Boolean(attrs.transposeA);
    const right = Boolean(attrs.transposeB);
    if (!left && !right) return runStockKernel(kernelName, args);
    const temporaries: TensorInfo[] = [];
    const a = left ? swapLastAxes(inputs.a as TensorInfo, backend, temporaries) : inputs.a;
    const b = right ? swapLastAxes(inputs.b as TensorInfo, backend, temporaries) : inputs.b;
    try {
      return runStockKernel(kernelName, { inputs: { ...inputs, a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      release(backend, ...temporaries);
    }
  };
}

function swapLastAxes(x: TensorInfo, backend: KernelBackend, temporaries: TensorInfo[]): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  const swapped = runWasmKernel('Transpose', { x }, { perm }, backend);
  temporaries.push(swapped);
  return swapped;
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(withOperandsTransposed(BatchMatMul)),
};

export const fusedMatMulConfig: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(withOperandsTransposed(_FusedMatMul)),
};
