import { Tile } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo, TileAttrs } from '@tensorflow/tfjs-core';
import { asKernelFunc, release, runStockKernel, runWasmKernel, type WasmKernelArgs } from './wasmKernelCalls';

/**
 * Tile as a broadcast: tiling axis i of size d by r is the [r, d] pair of axes, with x broadcast
 * along r. XNNPACK's broadcasting add onto zeros does that in two passes over the output; the
 * stock wasm Tile computes every element's source index and is ~100x slower. Batch-norm gradients
 * tile per-channel vectors to full activation size several times a step.
 */
const tile = (args: WasmKernelArgs): TensorInfo => {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const { reps } = attrs as unknown as TileAttrs;
  if (x.dtype !== 'float32') return runStockKernel(Tile, args);
  // Pair each axis as [reps, size], dropping 1s and merging neighbours of the same kind, so the
  // broadcast stays within XNNPACK's rank limit.
  const target: number[] = [];
  const source: number[] = [];
  const push = (size: number, broadcast: boolean) => {
    if (size === 1) return;
    const last = target.length - 1;
    if (last >= 0 && (source[last] === 1) === broadcast) {
      target[last] *= size;
      source[last] *= broadcast ? 1 : size;
    } else {
      target.push(size);
      source.push(broadcast ? 1 : size);
    }
  };
  x.shape.forEach((size, axis) => {
    push(reps[axis], true);
    push(size, false);
  });
  if (target.length === 0) {
    target.push(1);
    source.push(1);
  }
  if (target.length > 6) return runStockKernel(Tile, args);
  const outShape = x.shape.map((size, axis) => size * reps[axis]);
  const zeros = runWasmKernel('Fill', {}, { shape: target, value: 0, dtype: 'float32' }, backend);
  const view = runWasmKernel('Reshape', { x }, { shape: source }, backend);
  const tiled = runWasmKernel('Add', { a: zeros, b: view }, {}, backend);
  release(backend, zeros, view);
  const out = runWasmKernel('Reshape', { x: tiled }, { shape: outShape }, backend);
  release(backend, tiled);
  return out;
};

export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(tile),
};
