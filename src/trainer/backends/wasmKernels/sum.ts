import { Sum } from '@tensorflow/tfjs-core';
import type { KernelConfig, SumAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { reduceLeadingAxes } from './reduceLeadingAxes';
import { asKernelFunc, runStockKernel, type WasmKernelArgs } from './wasmKernelCalls';

/** Sum over leading axes as one average pool, scaled (see reduceLeadingAxes); else the stock kernel. */
const sum = (args: WasmKernelArgs): TensorInfo => {
  const { axis, keepDims } = args.attrs as unknown as SumAttrs;
  return reduceLeadingAxes(args.inputs.x as TensorInfo, axis, keepDims, 'sum', args.backend) ?? runStockKernel(Sum, args);
};

export const sumConfig: KernelConfig = { kernelName: Sum, backendName: 'wasm', kernelFunc: asKernelFunc(sum) };
