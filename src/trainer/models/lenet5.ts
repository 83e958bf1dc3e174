import * as tfl from '@tensorflow/tfjs-layers';
import { ADAPTATION_LAYERS, defaultAdaptationLayer } from '../../experiment/adaptationLayers';
import { conv2d } from './conv2d';
import type { ModelOptions, SplitClassifier } from './modelTypes';
import { splitChain } from './splitChain';

/**
 * LeNet-5-like student: conv5x5(6) -> maxpool -> conv5x5(16) -> maxpool -> flatten -> dense 120
 * -> dense 84, ReLU throughout, then the logits. The first conv pads ('same') so a 28x28 input
 * yields the classic 5x5x16 map, as LeNet-5 had on its padded 32x32 digits. Cut by default after
 * `flatten`: the trunk gives the 400-d conv features, the head holds the dense layers.
 */
export function buildLenet5(options: ModelOptions): SplitClassifier {
  const width = options.width ?? 1;
  const channels = (base: number) => Math.max(1, Math.round(base * width));
  const layers: tfl.layers.Layer[] = [
    conv2d({ filters: channels(6), kernelSize: 5, padding: 'same', activation: 'relu', name: 'conv1' }),
    tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool1' }),
    conv2d({ filters: channels(16), kernelSize: 5, padding: 'valid', activation: 'relu', name: 'conv2' }),
    tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool2' }),
    tfl.layers.flatten({ name: 'flatten' }),
    tfl.layers.dense({ units: channels(120), activation: 'relu', name: 'fc1' }),
    tfl.layers.dense({ units: channels(84), activation: 'relu', name: 'fc2' }),
    tfl.layers.dense({ units: options.classes, name: 'logits' }),
  ];
  const adaptAt = options.adaptAt ?? defaultAdaptationLayer('lenet5');
  if (!ADAPTATION_LAYERS.lenet5.includes(adaptAt))
    throw new Error(`lenet5 has no adaptation layer "${adaptAt}"; it can be cut at ${ADAPTATION_LAYERS.lenet5.join(', ')}`);
  const input = tfl.input({ shape: options.inputShape, name: 'image' });
  return { name: 'lenet5', ...splitChain(input, layers, adaptAt, 'lenet5') };
}

/** A linear layer from a feature vector to logits, as its own model. */
export function linearHead(featureSize: number, classes: number, name: string): tfl.LayersModel {
  const input = tfl.input({ shape: [featureSize], name: 'features' });
  const logits = tfl.layers.dense({ units: classes, name: 'logits' }).apply(input) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logits, name });
}
