import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { SplitClassifier } from '../models/buildModel';
import type { ModelCost } from '../../runFolder/results';
import { recordLatency } from '../../runFolder/inferenceLatency';
import { measureInferenceLatency } from './measureLatency';

interface LayerLike {
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  /** Where the layer was applied; a layer shared by two graphs (online-kd's branch 1) has several, all of one shape. */
  inboundNodes: { inputTensors: { shape: (number | null)[] }[]; outputTensors: { shape: (number | null)[] }[] }[];
  layers?: LayerLike[];
}

/** Multiply-accumulates per image of a layers model, nested models included. */
export function macsPerImage(model: LayersModel): number {
  let macs = 0;
  for (const layer of model.layers as unknown as LayerLike[]) {
    if (layer.layers) {
      macs += macsPerImage(layer as unknown as LayersModel);
      continue;
    }
    const className = layer.getClassName();
    const [node] = layer.inboundNodes;
    const input = node.inputTensors[0];
    const inChannels = input.shape[input.shape.length - 1] ?? 0;
    const out = node.outputTensors[0].shape as number[];
    if (className === 'Conv2D') {
      const [kh, kw] = layer.getConfig().kernelSize as number[];
      macs += out[1] * out[2] * out[3] * kh * kw * inChannels;
    } else if (className === 'Dense') {
      macs += inChannels * out[out.length - 1];
    }
  }
  return macs;
}

export function measureCost(net: SplitClassifier, inputShape: [number, number, number], checkpointBytes?: number): ModelCost {
  return {
    parameters: net.trunk.countParams() + net.head.countParams(),
    macsPerImage: macsPerImage(net.trunk) + macsPerImage(net.head),
    ...(checkpointBytes !== undefined ? { checkpointBytes } : {}),
    // predict, as `kd-uda diff` times the saved model: LayersModel.apply on tensors runs 2–4x slower on wasm (measured), so timing
    // logitsOf would make results.json disagree with the diff for the same checkpoint.
    ...recordLatency(measureInferenceLatency((images) => net.head.predict(net.trunk.predict(images)) as tf.Tensor, inputShape)),
    backend: tf.getBackend(),
  };
}

/** The cost of a whole model (image -> logits), as measureCost gives a net's. */
export function measureModelCost(model: LayersModel, inputShape: [number, number, number], checkpointBytes?: number): ModelCost {
  return {
    parameters: model.countParams(),
    macsPerImage: macsPerImage(model),
    ...(checkpointBytes !== undefined ? { checkpointBytes } : {}),
    ...recordLatency(measureInferenceLatency((images) => model.predict(images) as tf.Tensor, inputShape)),
    backend: tf.getBackend(),
  };
}
