import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { SplitClassifier } from '../models/buildModel';

const tappedTrunks = new WeakMap<SplitClassifier, Map<string, tfl.LayersModel>>();

/** The output of a trunk layer that gives [h, w, c] maps, or an error naming the layer and what it gives. */
function featureMapOf(net: SplitClassifier, name: string): tfl.SymbolicTensor {
  const layer = net.trunk.layers.find((candidate) => candidate.name === name);
  if (!layer) {
    const maps = net.trunk.layers
      .filter((candidate) => !Array.isArray(candidate.outputShape[0]) && candidate.outputShape.length === 4)
      .map((candidate) => candidate.name);
    throw new Error(`the ${net.name} model has no layer "${name}" before its adaptation features (${net.adaptAt}); its feature maps: ${maps.join(', ')}`);
  }
  const output = layer.output;
  if (Array.isArray(output) || output.shape.length !== 4) {
    throw new Error(
      `the ${net.name} model's layer "${name}" gives ${Array.isArray(output) ? 'several outputs' : `[${output.shape.join(', ')}]`}; feature distillation reads [batch, h, w, c] maps`,
    );
  }
  return output;
}

/**
 * The trunk with the named layers' maps as outputs beside its adaptation features: the same
 * layers and weights, so one training-mode pass yields both and batch norm's statistics move once.
 */
export function tappedTrunk(net: SplitClassifier, layers: readonly string[]): tfl.LayersModel {
  let byLayers = tappedTrunks.get(net);
  if (!byLayers) tappedTrunks.set(net, (byLayers = new Map<string, tfl.LayersModel>()));
  const key = layers.join('\n');
  let model = byLayers.get(key);
  if (!model) {
    model = tfl.model({ inputs: net.trunk.inputs, outputs: [net.trunk.outputs[0], ...layers.map((name) => featureMapOf(net, name))] });
    byLayers.set(key, model);
  }
  return model;
}

/** The [h, w, c] shape of each named map, for building what reads them. */
export function featureMapShapes(net: SplitClassifier, layers: readonly string[]): [number, number, number][] {
  return layers.map((name) => featureMapOf(net, name).shape.slice(1) as [number, number, number]);
}

/**
 * Source and target adaptation features and the maps at `layers`, from one training-mode pass
 * over source then target images (as jointFeatures, see steps.ts): each map holds the source
 * images first.
 */
export function jointFeaturesAndMaps(
  net: SplitClassifier,
  source: tf.Tensor4D,
  target: tf.Tensor4D,
  layers: readonly string[],
): { sourceFeatures: tf.Tensor2D; targetFeatures: tf.Tensor2D; maps: tf.Tensor4D[] } {
  const [features, ...maps] = tappedTrunk(net, layers).apply(tf.concat([source, target]), { training: true }) as [tf.Tensor2D, ...tf.Tensor4D[]];
  const ns = source.shape[0];
  return { sourceFeatures: tf.slice(features, [0, 0], [ns, -1]), targetFeatures: tf.slice(features, [ns, 0], [-1, -1]), maps };
}
