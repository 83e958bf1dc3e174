import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { SplitClassifier } from '../models/buildModel';
import type { ModelCost } from '../../runFolder/results';
import { logitsOf } from './nets';

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

/** Median wall time (ms) of one inference batch of zeros; the first run compiles kernels and is not timed. */
export function medianInferenceMs(predict: (images: tf.Tensor4D) => tf.Tensor, inputShape: [number, number, number], batchSize: number): number {
  const images = tf.zeros<tf.Rank.R4>([batchSize, ...inputShape]);
  const timings: number[] = [];
  try {
    for (let run = 0; run < 6; run++) {
      const started = performance.now();
      tf.tidy(() => predict(images).dataSync());
      if (run > 0) timings.push(performance.now() - started);
    }
  } finally {
    images.dispose();
  }
  timings.sort((a, b) => a - b);
  return Number(timings[Math.floor(timings.length / 2)].toFixed(3));
}

export function measureCost(net: SplitClassifier, inputShape: [number, number, number], batchSize: number, checkpointBytes?: number): ModelCost {
  return {
    parameters: net.trunk.countParams() + net.head.countParams(),
    macsPerImage: macsPerImage(net.trunk) + macsPerImage(net.head),
    ...(checkpointBytes !== undefined ? { checkpointBytes } : {}),
    latencyMsPerBatch: medianInferenceMs((images) => logitsOf(net, images, false), inputShape, batchSize),
    latencyBatchSize: batchSize,
    backend: tf.getBackend(),
  };
}
