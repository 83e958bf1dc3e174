import { backend_util, Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { asKernelFunc, release, runWasmKernel, type WasmKernelArgs } from './wasmKernelCalls';

/**
 * Filter gradient of a 2-D convolution (NHWC), which the wasm backend does not have at all.
 *
 * dW[kh,kw,ci,co] = sum over n,oh,ow of x[n, oh*s+kh-pad, ow*s+kw-pad, ci] * dy[n,oh,ow,co] is itself
 * a convolution: of x with channels and batch swapped ([ci, h, w, n]) by dy laid out as a filter
 * ([oh, ow, n, co]), dilated by the forward stride. So XNNPACK's convolution does the work, with
 * two transposes of the inputs and one of the small result.
 */
const conv2DBackpropFilter = ({ inputs, backend, attrs }: WasmKernelArgs): TensorInfo => {
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  if (info.dataFormat !== 'channelsLast') throw new Error('wasm Conv2DBackpropFilter supports NHWC (channelsLast) only');
  const { inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;

  // Padded rows/columns past the last window are never read: drop them from the far padding so
  // the correlation yields exactly filterHeight x filterWidth (a slice fixes any remainder).
  const spareRows = inHeight + padInfo.top + padInfo.bottom - ((outHeight - 1) * strideHeight + filterHeight);
  const spareCols = inWidth + padInfo.left + padInfo.right - ((outWidth - 1) * strideWidth + filterWidth);
  const bottom = padInfo.bottom - Math.min(spareRows, padInfo.bottom);
  const right = padInfo.right - Math.min(spareCols, padInfo.right);

  const xT = batchToChannelsLast(x, backend); // [ci, h, w, n]
  const dyT = batchBehindPixels(dy, backend); // [oh, ow, n, co]
  const correlation = runWasmKernel(
    'Conv2D',
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [padInfo.top, bottom],
        [padInfo.left, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [strideHeight, strideWidth],
    },
    backend,
  ); // [ci, kh', kw', co]
  release(backend, xT, dyT);
  let exact = correlation;
  if (correlation.shape[1] !== filterHeight || correlation.shape[2] !== filterWidth) {
    exact = runWasmKernel('Slice', { x: correlation }, { begin: [0, 0, 0, 0], size: [inChannels, filterHeight, filterWidth, outChannels] }, backend);
    release(backend, correlation);
  }
  const dW = runWasmKernel('Transpose', { x: exact }, { perm: [1, 2, 0, 3] }, backend); // [kh, kw, ci, co]
  release(backend, exact);
  return dW;
};

/**
 * [n, h, w, c] -> [c, h, w, n] in three cheap passes. The backend's transpose is a plain strided
 * loop: moving whole rows of c values, or transposing many small [n, c] matrices, stays in cache;
 * one element-wise pass over the whole tensor does not (~2x slower at 64x32x32x32).
 */
function batchToChannelsLast(x: TensorInfo, backend: KernelBackend): TensorInfo {
  const [n, h, w, c] = x.shape;
  const rows = runWasmKernel('Reshape', { x }, { shape: [n, h * w, c] }, backend);
  const pixelsFirst = runWasmKernel('Transpose', { x: rows }, { perm: [1, 0, 2] }, backend); // [hw, n, c]
  const perPixel = runWasmKernel('Transpose', { x: pixelsFirst }, { perm: [0, 2, 1] }, backend); // [hw, c, n]
  const channelsFirst = runWasmKernel('Transpose', { x: perPixel }, { perm: [1, 0, 2] }, backend); // [c, hw, n]
  const out = runWasmKernel('Reshape', { x: channelsFirst }, { shape: [c, h, w, n] }, backend);
  release(backend, rows, pixelsFirst, perPixel, channelsFirst);
  return out;
}

/** [n, h, w, c] -> [h, w, n, c]: moves whole rows of c values (one cache-friendly pass). */
function batchBehindPixels(x: TensorInfo, backend: KernelBackend): TensorInfo {
  const [n, h, w, c] = x.shape;
  const rows = runWasmKernel('Reshape', { x }, { shape: [n, h * w, c] }, backend);
  const moved = runWasmKernel('Transpose', { x: rows }, { perm: [1, 0, 2] }, backend);
  const out = runWasmKernel('Reshape', { x: moved }, { shape: [h, w, n, c] }, backend);
  release(backend, rows, moved);
  return out;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(conv2DBackpropFilter),
};
