import * as tfl from '@tensorflow/tfjs-layers';
import { conv2d } from './conv2d';
import type { ModelOptions, SplitClassifier } from './modelTypes';

/**
 * LeNet-5-like student: conv5x5(6) -> maxpool -> conv5x5(16) -> maxpool -> dense 120 -> dense 84,
 * ReLU throughout, then a linear head. The first conv pads ('same') so a 28x28 input yields the
 * classic 5x5x16 map, as LeNet-5 had on its padded 32x32 digits.
 */
export function buildLenet5(options: ModelOptions): SplitClassifier {
  const width = options.width ?? 1;
  const channels = (base: number) => Math.max(1, Math.round(base * width));
  const input = tfl.input({ shape: options.inputShape, name: 'image' });
  let x = conv2d({ filters: channels(6), kernelSize: 5, padding: 'same', activation: 'relu', name: 'conv1' }).apply(input) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool1' }).apply(x) as tfl.SymbolicTensor;
  x = conv2d({ filters: channels(16), kernelSize: 5, padding: 'valid', activation: 'relu', name: 'conv2' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool2' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.flatten({ name: 'flatten' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ units: channels(120), activation: 'relu', name: 'fc1' }).apply(x) as tfl.SymbolicTensor;
  const featureSize = channels(84);
  const pooled = tfl.layers.dense({ units: featureSize, activation: 'relu', name: 'fc2' }).apply(x) as tfl.SymbolicTensor;
  const features = tfl.model({ inputs: input, outputs: pooled, name: 'lenet5_features' });
  const classifier = linearHead(featureSize, options.classes, 'lenet5_classifier');
  return { name: 'lenet5', features, classifier, featureSize };
}

/** A linear layer from a feature vector to logits, as its own model so it can be swapped per target. */
export function linearHead(featureSize: number, classes: number, name: string): tfl.LayersModel {
  const input = tfl.input({ shape: [featureSize], name: 'features' });
  const logits = tfl.layers.dense({ units: classes, name: 'logits' }).apply(input) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name });
}
