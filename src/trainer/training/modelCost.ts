import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { SplitClassifier } from '../models/buildModel';
import { logitsOf } from './nets';

/** What a model costs at inference: the denominator of accuracy per unit of cost. */
export interface ModelCost {
  parameters: number;
  /** Multiply-accumulates per image, from the layers' shapes (convolutions and dense layers). */
  macsPerImage: number;
  checkpointBytes?: number;
  /** Median wall time of one inference batch on the backend used. */
  latencyMsPerBatch: number;
  latencyBatchSize: number;
  backend: string;
}

interface LayerLike {
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  outputShape: number[] | number[][];
  input: { shape: (number | null)[] } | { shape: (number | null)[] }[];
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
    const input = Array.isArray(layer.input) ? layer.input[0] : layer.input;
    const inChannels = input.shape[input.shape.length - 1] ?? 0;
    const out = layer.outputShape as number[];
    if (className === 'Conv2D') {
      const [kh, kw] = layer.getConfig().kernelSize as number[];
      macs += out[1] * out[2] * out[3] * kh * kw * inChannels;
    } else if (className === 'Dense') {
      macs += inChannels * out[out.length - 1];
    }
  }
  return macs;
}

export function measureCost(net: SplitClassifier, inputShape: [number, number, number], batchSize: number, checkpointBytes?: number): ModelCost {
  const parameters = net.features.countParams() + net.classifier.countParams();
  const images = tf.zeros([batchSize, ...inputShape]);
  const timings: number[] = [];
  try {
    // The first run compiles kernels; time the ones after it.
    for (let run = 0; run < 6; run++) {
      const started = performance.now();
      tf.tidy(() => logitsOf(net, images, false).dataSync());
      if (run > 0) timings.push(performance.now() - started);
    }
  } finally {
    images.dispose();
  }
  timings.sort((a, b) => a - b);
  return {
    parameters,
    macsPerImage: macsPerImage(net.features) + macsPerImage(net.classifier),
    ...(checkpointBytes !== undefined ? { checkpointBytes } : {}),
    latencyMsPerBatch: Number(timings[Math.floor(timings.length / 2)].toFixed(3)),
    latencyBatchSize: batchSize,
    backend: tf.getBackend(),
  };
}
