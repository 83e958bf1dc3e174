import { Mean } from '@tensorflow/tfjs-core';
import type { KernelConfig, MeanAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { reduceLeadingAxes } from './reduceLeadingAxes';
import { asKernelFunc, runStockKernel, type WasmKernelArgs } from './wasmKernelCalls';

/** Mean over leading axes as one average pool (see reduceLeadingAxes); else the stock kernel. */
const mean = (args: WasmKernelArgs): TensorInfo => {
  const { axis, keepDims } = args.attrs as unknown as MeanAttrs;
  return reduceLeadingAxes(args.inputs.x as TensorInfo, axis, keepDims, 'mean', args.backend) ?? runStockKernel(Mean, args);
};

export const meanConfig: KernelConfig = { kernelName: Mean, backendName: 'wasm', kernelFunc: asKernelFunc(mean) };
