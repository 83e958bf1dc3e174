import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../../experiment/experiment';
import { buildModel, type ModelOptions, type SplitClassifier } from '../models/buildModel';
import { buildSavedNet, type SavedBackbone } from '../models/savedBackbone';
import { buildResnetWide } from '../models/resnetWide';

export interface NetShape {
  inputShape: [number, number, number];
  classes: number;
}

/**
 * Architectures built from their name alone, the ones New Experiment offers; `saved` also needs
 * its model file, loaded beforehand (models/savedBackbone.ts).
 */
export const BUILDABLE_ARCHITECTURES = ['lenet5', 'resnet-small', 'resnet-wide'] as const;

/**
 * Builds a model from an experiment's model spec; a `saved` spec from `backbone`, its loaded model.
 * tfjs's weight initialisers draw their seeds from Math.random when none is given (the model
 * builders give none), so Math.random is replaced by a seeded generator while the layers are
 * built: the same seed gives the same initial weights (of a saved backbone's head).
 */
export function buildNet(spec: ModelSpec, shape: NetShape, seed: number, backbone?: SavedBackbone): SplitClassifier {
  return withSeededMathRandom(seed, () => {
    if (spec.architecture !== 'saved')
      return buildNamed(spec.architecture, {
        inputShape: shape.inputShape,
        classes: shape.classes,
        width: spec.width,
        depth: spec.depth,
        adaptAt: spec.adaptAt,
      });
    if (!backbone) throw new Error(`the saved model ${spec.path} was not loaded before its net was built`);
    return buildSavedNet(backbone, shape.classes, spec.adaptAt);
  });
}

function buildNamed(architecture: (typeof BUILDABLE_ARCHITECTURES)[number], options: ModelOptions): SplitClassifier {
  return architecture === 'resnet-wide' ? buildResnetWide(options) : buildModel(architecture, options);
}

export function withSeededMathRandom<T>(seed: number, build: () => T): T {
  const original = Math.random;
  let state = seed >>> 0 || 0x9e3779b9;
  Math.random = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  try {
    return build();
  } finally {
    Math.random = original;
  }
}

/** The tf.Variables behind a layers model's trainable weights (what an optimiser updates). */
export function trainableVariables(...models: LayersModel[]): tf.Variable[] {
  return models.flatMap((model) => model.trainableWeights.map((weight) => (weight as unknown as { val: tf.Variable }).val));
}

export function logitsOf(net: SplitClassifier, images: tf.Tensor, training: boolean): tf.Tensor2D {
  return net.head.apply(net.trunk.apply(images, { training }), { training }) as tf.Tensor2D;
}
