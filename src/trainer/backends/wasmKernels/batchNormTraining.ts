import type { KernelBackend, KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { batchNormTrainingGradKernel, batchNormTrainingKernel, type BatchNormTrainingAttrs } from '../gradients/batchNormTraining';
import { reduceLeadingAxes } from './reduceLeadingAxes';
import { asKernelFunc, onHeap, release, runWasmKernel, type WasmKernelArgs } from './wasmKernelCalls';

/**
 * Batch normalisation of a training step in six threaded XNNPACK passes forward (mean, centre,
 * square, variance, scale, shift) and eight back, where the stock composition runs some forty wasm
 * kernels per layer, several of them scalar loops (the stock FusedBatchNorm among them). The
 * per-channel arithmetic, on [C] vectors, is done in JS on the heap. The reserves are copies of the
 * mean and variance and an empty third: the gradient centres x again (one pass) rather than keep a
 * full-size x - mean from forward to backward, for which the tape would also build a zero gradient.
 */
const forward = (args: WasmKernelArgs): TensorInfo[] => {
  const { backend } = args;
  const { x, scale, offset } = args.inputs as Record<string, TensorInfo>;
  const { varianceEpsilon } = args.attrs as unknown as BatchNormTrainingAttrs;
  const leading = leadingAxes(x);
  const mean = reduceLeadingAxes(x, leading, false, 'mean', backend)!;
  const centred = runWasmKernel('Sub', { a: x, b: mean }, {}, backend);
  const squares = runWasmKernel('Multiply', { a: centred, b: centred }, {}, backend);
  const variance = reduceLeadingAxes(squares, leading, false, 'mean', backend)!;
  release(backend, squares);
  const gain = perChannel(backend, [scale, variance], ([gamma, v]) => gamma / Math.sqrt(v + varianceEpsilon));
  const scaled = runWasmKernel('Multiply', { a: centred, b: gain }, {}, backend);
  const normalized = runWasmKernel('Add', { a: scaled, b: offset }, {}, backend);
  release(backend, centred, gain, scaled);
  const copy = (info: TensorInfo) => perChannel(backend, [info], ([value]) => value);
  const empty = onHeap(backend).makeOutput([0], 'float32');
  return [normalized, mean, variance, copy(mean), copy(variance), empty];
};

/**
 * dx = gain * (dy - mean(dy)) - gain * (x - mean) * mean(dy * (x - mean)) / (variance + epsilon),
 * with gain = scale / sqrt(variance + epsilon): a per-channel shift and two per-channel scalings of
 * full-size tensors. dscale = sum(dy * (x - mean)) / sqrt(variance + epsilon); doffset = sum(dy).
 */
const gradient = (args: WasmKernelArgs): TensorInfo[] => {
  const { backend } = args;
  const { dy, x, scale, reserve1: mean, reserve2: variance } = args.inputs as Record<string, TensorInfo>;
  const { varianceEpsilon } = args.attrs as unknown as BatchNormTrainingAttrs;
  const leading = leadingAxes(x);
  const centred = runWasmKernel('Sub', { a: x, b: mean }, {}, backend);
  const count = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const meanDy = reduceLeadingAxes(dy, leading, false, 'mean', backend)!;
  const products = runWasmKernel('Multiply', { a: dy, b: centred }, {}, backend);
  const meanDyCentred = reduceLeadingAxes(products, leading, false, 'mean', backend)!;
  release(backend, products);
  const inputs = [scale, variance, meanDy, meanDyCentred];
  const invStd = (v: number) => 1 / Math.sqrt(v + varianceEpsilon);
  const dyGain = perChannel(backend, inputs, ([gamma, v]) => gamma * invStd(v));
  const centredGain = perChannel(backend, inputs, ([gamma, v, , mdc]) => -gamma * invStd(v) ** 3 * mdc);
  const dscale = perChannel(backend, inputs, ([, v, , mdc]) => mdc * count * invStd(v));
  const doffset = perChannel(backend, inputs, ([, , md]) => md * count);
  release(backend, meanDyCentred);
  // dy - mean(dy) before scaling: the two are close where a channel varies little.
  const deviation = runWasmKernel('Sub', { a: dy, b: meanDy }, {}, backend);
  const fromDy = runWasmKernel('Multiply', { a: deviation, b: dyGain }, {}, backend);
  const fromCentred = runWasmKernel('Multiply', { a: centred, b: centredGain }, {}, backend);
  const dx = runWasmKernel('Add', { a: fromDy, b: fromCentred }, {}, backend);
  release(backend, centred, meanDy, dyGain, centredGain, deviation, fromDy, fromCentred);
  return [dx, dscale, doffset];
};

function leadingAxes(x: TensorInfo): number[] {
  return x.shape.slice(0, -1).map((_, axis) => axis);
}

/** A new [C] vector whose channel c is `value` of the inputs' channel c. */
function perChannel(kernelBackend: KernelBackend, inputs: TensorInfo[], value: (channel: number[]) => number): TensorInfo {
  const backend = onHeap(kernelBackend);
  const channels = inputs[0].shape[0];
  const out = backend.makeOutput([channels], 'float32');
  const values = backend.typedArrayFromHeap(out);
  const views = inputs.map((input) => backend.typedArrayFromHeap(input));
  for (let c = 0; c < channels; c++) values[c] = value(views.map((view) => view[c]));
  return out;
}

export const wasmBatchNormTrainingConfigs: KernelConfig[] = [
  { kernelName: batchNormTrainingKernel, backendName: 'wasm', kernelFunc: asKernelFunc(forward) },
  { kernelName: batchNormTrainingGradKernel, backendName: 'wasm', kernelFunc: asKernelFunc(gradient) },
];
