import { backend_util, Conv2DBackpropInput } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, KernelBackend, KernelConfig, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { asKernelFunc, release, runStockKernel, runWasmKernel, type WasmKernelArgs } from './wasmKernelCalls';

/**
 * Input gradient of a 2-D convolution (NHWC). The wasm backend's own kernel is a scalar loop; this
 * one is XNNPACK convolutions of dy with the flipped, in/out-swapped filter.
 *
 * Stride 1: one convolution, padded by (kernel - 1 - forward padding).
 * Stride s > 1: the sub-pixel decomposition. Input row p (in padded coordinates) only receives
 * filter taps k with k = p (mod s), so each of the s*s phases is a stride-1 convolution of dy with
 * the taps of that phase; the phases are interleaved by a transpose and the padding cut away.
 * Same arithmetic as the direct form, none of it spent on the zeros a dilated dy would hold.
 */
const conv2DBackpropInput = (args: WasmKernelArgs): TensorInfo => {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  const { strideHeight, strideWidth, filterHeight, filterWidth, padInfo, inHeight, inWidth, outHeight, outWidth } = info;
  const phasesHeight = Math.ceil((padInfo.top + inHeight) / strideHeight);
  const phasesWidth = Math.ceil((padInfo.left + inWidth) / strideWidth);
  const supported =
    info.dataFormat === 'channelsLast' &&
    (strideHeight === 1 && strideWidth === 1
      ? padInfo.top < filterHeight && padInfo.bottom < filterHeight && padInfo.left < filterWidth && padInfo.right < filterWidth
      : strideHeight === strideWidth && phasesHeight >= outHeight && phasesWidth >= outWidth);
  if (!supported) return runStockKernel(Conv2DBackpropInput, args);

  // [kh, kw, ci, co] -> [kh, kw, co, ci]: the backward convolution maps co channels to ci.
  const swapped = runWasmKernel('Transpose', { x: filter }, { perm: [0, 1, 3, 2] }, backend);
  try {
    if (strideHeight === 1) {
      const flipped = runWasmKernel('Reverse', { x: swapped }, { dims: [0, 1] }, backend);
      const dx = runWasmKernel(
        'Conv2D',
        { x: dy, filter: flipped },
        {
          strides: [1, 1],
          pad: [
            [0, 0],
            [filterHeight - 1 - padInfo.top, filterHeight - 1 - padInfo.bottom],
            [filterWidth - 1 - padInfo.left, filterWidth - 1 - padInfo.right],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          dilations: [1, 1],
        },
        backend,
      );
      release(backend, flipped);
      return dx;
    }
    return subPixel(dy, swapped, info, phasesHeight, phasesWidth, backend);
  } finally {
    release(backend, swapped);
  }
};

function subPixel(
  dy: TensorInfo,
  swapped: TensorInfo,
  info: backend_util.Conv2DInfo,
  phasesHeight: number,
  phasesWidth: number,
  backend: KernelBackend,
): TensorInfo {
  const { strideHeight: stride, filterHeight, filterWidth, padInfo, batchSize, inHeight, inWidth, inChannels, outChannels, outHeight, outWidth } = info;
  const phases: TensorInfo[] = [];
  for (let rowPhase = 0; rowPhase < stride; rowPhase++) {
    for (let colPhase = 0; colPhase < stride; colPhase++) {
      const tapsHeight = Math.max(0, Math.ceil((filterHeight - rowPhase) / stride));
      const tapsWidth = Math.max(0, Math.ceil((filterWidth - colPhase) / stride));
      if (tapsHeight === 0 || tapsWidth === 0) {
        phases.push(runWasmKernel('Fill', {}, { shape: [batchSize, phasesHeight, phasesWidth, inChannels], value: 0, dtype: 'float32' }, backend));
        continue;
      }
      const taps = runWasmKernel(
        'StridedSlice',
        { x: swapped },
        {
          begin: [rowPhase, colPhase, 0, 0],
          end: [filterHeight, filterWidth, outChannels, inChannels],
          strides: [stride, stride, 1, 1],
          beginMask: 0,
          endMask: 0,
          ellipsisMask: 0,
          newAxisMask: 0,
          shrinkAxisMask: 0,
        },
        backend,
      );
      const flipped = runWasmKernel('Reverse', { x: taps }, { dims: [0, 1] }, backend);
      phases.push(
        runWasmKernel(
          'Conv2D',
          { x: dy, filter: flipped },
          {
            strides: [1, 1],
            pad: [
              [0, 0],
              [tapsHeight - 1, phasesHeight - outHeight],
              [tapsWidth - 1, phasesWidth - outWidth],
              [0, 0],
            ],
            dataFormat: 'NHWC',
            dilations: [1, 1],
          },
          backend,
        ),
      );
      release(backend, taps, flipped);
    }
  }
  // Concat takes its inputs as an array, not a name map.
  const stacked = runWasmKernel('Concat', phases as unknown as NamedTensorInfoMap, { axis: 3 }, backend);
  release(backend, ...phases);
  // stacked[n, q, q', (rh*s + rw)*C + c] belongs at dx[n, q*s + rh, q'*s + rw, c]: swapping the q'
  // and rh axes interleaves the phases (a rank-4 transpose; DepthToSpace and rank-5 transposes
  // are ~20x slower in this backend).
  const grouped = runWasmKernel('Reshape', { x: stacked }, { shape: [batchSize * phasesHeight, phasesWidth, stride, stride * inChannels] }, backend);
  release(backend, stacked);
  const interleaved = runWasmKernel('Transpose', { x: grouped }, { perm: [0, 2, 1, 3] }, backend);
  release(backend, grouped);
  const full = runWasmKernel('Reshape', { x: interleaved }, { shape: [batchSize, phasesHeight * stride, phasesWidth * stride, inChannels] }, backend);
  release(backend, interleaved);
  if (padInfo.top === 0 && padInfo.left === 0 && phasesHeight * stride === inHeight && phasesWidth * stride === inWidth) return full;
  const dx = runWasmKernel('Slice', { x: full }, { begin: [0, padInfo.top, padInfo.left, 0], size: [batchSize, inHeight, inWidth, inChannels] }, backend);
  release(backend, full);
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(conv2DBackpropInput),
};
