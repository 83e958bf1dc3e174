import type { TensorInfo } from '@tensorflow/tfjs-core';

/** The part of tfjs-node's backend the kernels here use: one TensorFlow eager op per call. */
export interface NodeBackend {
  binding: { TF_ATTR_TYPE: number; TF_FLOAT: number; TF_VERSION?: string };
  executeSingleOutput(name: string, attrs: { name: string; type: number; value: number }[], inputs: TensorInfo[]): TensorInfo;
}

/** The `T: float32` attribute most TensorFlow math ops take. */
export function floatType(backend: NodeBackend): { name: string; type: number; value: number }[] {
  return [{ name: 'T', type: backend.binding.TF_ATTR_TYPE, value: backend.binding.TF_FLOAT }];
}
