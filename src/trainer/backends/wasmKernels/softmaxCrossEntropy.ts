import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { softmaxCrossEntropyKernel } from '../gradients/softmaxCrossEntropy';
import { asKernelFunc, onHeap, type WasmKernelArgs } from './wasmKernelCalls';

/**
 * Softmax cross-entropy and its gradient in one JS pass per row on the heap: [n, C] logits are a
 * few hundred values, where two dozen kernel dispatches cost far more than the arithmetic.
 * loss = logsumexp(z) * sum(y) - sum(y * z); backprop = softmax(z) * sum(y) - y (which is
 * softmax(z) - y for a distribution, as TensorFlow's op computes).
 */
const softmaxCrossEntropy = ({ inputs, backend }: WasmKernelArgs): TensorInfo[] => {
  const heap = onHeap(backend);
  const logits = inputs.logits as TensorInfo;
  const [rows, classes] = logits.shape;
  const lossInfo = heap.makeOutput([rows], 'float32');
  const backpropInfo = heap.makeOutput([rows, classes], 'float32');
  const z = heap.typedArrayFromHeap(logits);
  const y = heap.typedArrayFromHeap(inputs.labels as TensorInfo);
  const loss = heap.typedArrayFromHeap(lossInfo);
  const backprop = heap.typedArrayFromHeap(backpropInfo);
  for (let row = 0; row < rows; row++) {
    const start = row * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, z[start + c]);
    let sumExp = 0;
    let sumY = 0;
    let sumYZ = 0;
    for (let c = 0; c < classes; c++) {
      sumExp += Math.exp(z[start + c] - max);
      sumY += y[start + c];
      sumYZ += y[start + c] * z[start + c];
    }
    loss[row] = (max + Math.log(sumExp)) * sumY - sumYZ;
    for (let c = 0; c < classes; c++) backprop[start + c] = (Math.exp(z[start + c] - max) / sumExp) * sumY - y[start + c];
  }
  return [lossInfo, backpropInfo];
};

export const wasmSoftmaxCrossEntropyConfig: KernelConfig = {
  kernelName: softmaxCrossEntropyKernel,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(softmaxCrossEntropy),
};
