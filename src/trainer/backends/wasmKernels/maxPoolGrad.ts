import { backend_util, MaxPoolGrad } from '@tensorflow/tfjs-core';
import type { KernelConfig, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { asKernelFunc, onHeap, runStockKernel, type WasmKernelArgs } from './wasmKernelCalls';

/**
 * Input gradient of a 2-D max pool (NHWC). The stock wasm kernel (4.22.0) is a scalar loop that
 * revisits every window per output element, and it drops the gradient of every window whose
 * values are all negative (harmless only after a ReLU); this one makes a single pass over the
 * windows, in JS straight on the wasm heap.
 *
 * Semantics are exactly those of tfjs's cpu backend (and TensorFlow): each window's gradient goes
 * to its FIRST maximum in row-major window order (only a strictly greater value replaces it,
 * starting from -Infinity, so NaN never wins and a window of only NaN / -Infinity passes nothing
 * on), windows are clipped to the input (padding never wins), and overlapping windows accumulate.
 *
 * Which element is a window's maximum is data-dependent and unpredictable, so comparing floats
 * with branches spends most of the time on mispredictions. Instead
 * the float bits are read as integers and mapped to keys whose integer order is the float order
 * (see orderKey), and the running maximum and its position are kept with masks, branch-free.
 */
const maxPoolGrad = (args: WasmKernelArgs): TensorInfo => {
  const { inputs, attrs } = args;
  const dy = inputs.dy as TensorInfo;
  const x = inputs.input as TensorInfo;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return runStockKernel(MaxPoolGrad, args);
  const backend = onHeap(args.backend);
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = backend_util.computePool2DInfo(x.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { outHeight, outWidth, strideHeight, strideWidth } = info;

  // Allocate before taking heap views: an allocation may grow (and so replace) the heap's buffer.
  const dxInfo = backend.makeOutput(x.shape, 'float32');
  const xFloats = backend.typedArrayFromHeap(x);
  const bits = new Int32Array(xFloats.buffer, xFloats.byteOffset, xFloats.length);
  const dys = backend.typedArrayFromHeap(dy);
  const dx = backend.typedArrayFromHeap(dxInfo);
  dx.fill(0);
  const pool = { ...info, poolHeight: info.effectiveFilterHeight, poolWidth: info.effectiveFilterWidth, padTop: info.padInfo.top, padLeft: info.padInfo.left };
  const disjoint2x2 =
    pool.poolHeight === 2 &&
    pool.poolWidth === 2 &&
    strideHeight === 2 &&
    strideWidth === 2 &&
    pool.padTop === 0 &&
    pool.padLeft === 0 &&
    2 * outHeight <= pool.inHeight &&
    2 * outWidth <= pool.inWidth;
  if (disjoint2x2) scatter2x2(pool, bits, dys, dx);
  else scatterAnyWindow(pool, bits, dys, dx);
  return dxInfo;
};

interface PoolShape {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  strideHeight: number;
  strideWidth: number;
  poolHeight: number;
  poolWidth: number;
  padTop: number;
  padLeft: number;
}

/** The order key of -Infinity: a window's running maximum starts here and only beats replace it. */
const negativeInfinityKey = -0x7f800000;

/**
 * An int32 whose signed order is the order of the float32 with these bits: sign-magnitude to two's
 * complement, so -0 and +0 get the same key (they compare equal), and NaN (magnitude above that of
 * Infinity) gets the lowest key of all, below -Infinity's, so it never becomes a maximum.
 */
function orderKey(floatBits: number): number {
  const magnitude = floatBits & 0x7fffffff;
  const sign = floatBits >> 31;
  const nan = (0x7f800000 - magnitude) >> 31;
  return (((magnitude ^ sign) - sign) & ~nan) | (nan & 0x80000000);
}

/** -1 (all bits set) where a > b as signed int32, else 0; the subtraction's overflow is corrected. */
function greaterMask(a: number, b: number): number {
  const difference = (b - a) | 0;
  return (difference ^ ((b ^ a) & (difference ^ b))) >> 31;
}

/**
 * Any window: per output pixel and channel, a branch-free running maximum over the clipped window
 * in row-major order (channels are contiguous in NHWC, so the window is read at a stride of
 * `inChannels`), then dy is added at its position.
 */
function scatterAnyWindow(p: PoolShape, bits: Int32Array, dys: Float32Array, dx: Float32Array): void {
  const channels = p.inChannels;
  const rowStride = p.inWidth * channels;
  let dyOffset = 0;
  for (let b = 0; b < p.batchSize; b++) {
    const image = b * p.inHeight * rowStride;
    for (let oy = 0; oy < p.outHeight; oy++) {
      const rowCorner = oy * p.strideHeight - p.padTop;
      const rowStart = image + Math.max(0, rowCorner) * rowStride;
      const rowEnd = image + Math.min(p.inHeight, rowCorner + p.poolHeight) * rowStride;
      for (let ox = 0; ox < p.outWidth; ox++) {
        const colCorner = ox * p.strideWidth - p.padLeft;
        const colStart = Math.max(0, colCorner) * channels;
        const colEnd = Math.min(p.inWidth, colCorner + p.poolWidth) * channels;
        for (let c = 0; c < channels; c++, dyOffset++) {
          let max = negativeInfinityKey;
          let at = -1;
          for (let row = rowStart + c; row < rowEnd; row += rowStride) {
            for (let i = row + colStart, end = row + colEnd; i < end; i += channels) {
              const key = orderKey(bits[i]);
              const beats = greaterMask(key, max);
              max ^= (max ^ key) & beats;
              at ^= (at ^ i) & beats;
            }
          }
          if (at >= 0) dx[at] += dys[dyOffset];
        }
      }
    }
  }
}

/**
 * 2x2 windows at stride 2 inside the input (LeNet's pools): the same, unrolled, as a tournament
 * (first max of each row pair, then of the two; a tie keeps the earlier). Windows are disjoint, so
 * each gradient is stored rather than added.
 */
function scatter2x2(p: PoolShape, bits: Int32Array, dys: Float32Array, dx: Float32Array): void {
  const channels = p.inChannels;
  const rowStride = p.inWidth * channels;
  let dyOffset = 0;
  for (let b = 0; b < p.batchSize; b++) {
    for (let oy = 0; oy < p.outHeight; oy++) {
      const top = (b * p.inHeight + 2 * oy) * rowStride;
      for (let ox = 0; ox < p.outWidth; ox++) {
        const corner = top + 2 * ox * channels;
        for (let c = 0; c < channels; c++, dyOffset++) {
          const i = corner + c;
          const k0 = orderKey(bits[i]);
          const k1 = orderKey(bits[i + channels]);
          const k2 = orderKey(bits[i + rowStride]);
          const k3 = orderKey(bits[i + rowStride + channels]);
          const upper = greaterMask(k1, k0);
          const lower = greaterMask(k3, k2);
          const upperMax = k0 ^ ((k0 ^ k1) & upper);
          const lowerMax = k2 ^ ((k2 ^ k3) & lower);
          const below = greaterMask(lowerMax, upperMax);
          const max = upperMax ^ ((upperMax ^ lowerMax) & below);
          const upperAt = i + (channels & upper);
          const lowerAt = i + rowStride + (channels & lower);
          if (max > negativeInfinityKey) dx[upperAt ^ ((upperAt ^ lowerAt) & below)] = dys[dyOffset];
        }
      }
    }
  }
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(maxPoolGrad),
};
