import { util } from '@tensorflow/tfjs-core';
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { release, runWasmKernel } from './wasmKernelCalls';

/**
 * Mean (or sum) of x over its leading axes when those are exactly the axes asked for: batch norm's
 * moments and gradients reduce NHWC activations over N, H and W every step. Viewed as one image
 * [1, rows / w, w, kept] that is a single average pool over the whole image, which XNNPACK does in
 * one pass. The stock wasm reductions first transpose the reduced axes to the end (a slow scalar
 * transpose of the full activation), and a GEMM with a row of ones would repack the activation as
 * weights on every call. Returns undefined for any other reduction.
 */
export function reduceLeadingAxes(
  x: TensorInfo,
  axis: number | number[],
  keepDims: boolean,
  reduction: 'mean' | 'sum',
  backend: KernelBackend,
): TensorInfo | undefined {
  if (x.dtype !== 'float32') return undefined;
  const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const leading = axes.every((a, i) => a === i);
  if (!leading || axes.length === 0 || axes.length === x.shape.length) return undefined;
  const rows = util.sizeFromShape(x.shape.slice(0, axes.length));
  if (rows === 0) return undefined;
  const kept = x.shape.slice(axes.length);
  const columns = util.sizeFromShape(kept);
  const width = x.shape[axes.length - 1];
  const image = runWasmKernel('Reshape', { x }, { shape: [1, rows / width, width, columns] }, backend);
  let reduced = runWasmKernel('AvgPool', { x: image }, { filterSize: [rows / width, width], strides: 1, pad: 'valid', dimRoundingMode: undefined }, backend);
  release(backend, image);
  if (reduction === 'sum') {
    const count = runWasmKernel('Fill', {}, { shape: [], value: rows, dtype: 'float32' }, backend);
    const scaled = runWasmKernel('Multiply', { a: reduced, b: count }, {}, backend);
    release(backend, reduced, count);
    reduced = scaled;
  }
  const outShape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
  const out = runWasmKernel('Reshape', { x: reduced }, { shape: outShape }, backend);
  release(backend, reduced);
  return out;
}
