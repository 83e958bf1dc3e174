import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';

export interface OpAttribute {
  name: string;
  type: number;
  value: number | string | boolean;
}

/** The part of tfjs-node's backend the kernels here use: one TensorFlow eager op per call. */
export interface NodeBackend {
  binding: { TF_ATTR_TYPE: number; TF_ATTR_FLOAT: number; TF_ATTR_STRING: number; TF_ATTR_BOOL: number; TF_FLOAT: number; TF_VERSION?: string };
  executeSingleOutput(name: string, attrs: OpAttribute[], inputs: TensorInfo[]): TensorInfo;
  executeMultipleOutputs(name: string, attrs: OpAttribute[], inputs: TensorInfo[], numOutputs: number): TensorInfo[];
  write(values: Float32Array, shape: number[], dtype: 'float32'): DataId;
  disposeData(dataId: DataId): boolean;
}

/** The `T: float32` attribute most TensorFlow math ops take. */
export function floatType(backend: NodeBackend): OpAttribute[] {
  return [{ name: 'T', type: backend.binding.TF_ATTR_TYPE, value: backend.binding.TF_FLOAT }];
}

/**
 * Frees results a kernel made and does not return. tfjs-node hands op outputs back as engine
 * Tensors (of its own copy of tfjs-core, so `instanceof` cannot tell), which must be disposed
 * through the engine; data written straight to the backend has only the backend's reference.
 */
export function release(backend: NodeBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) {
    const tensor = info as TensorInfo & { dispose?: () => void };
    if (typeof tensor.dispose === 'function') tensor.dispose();
    else backend.disposeData(info.dataId);
  }
}
