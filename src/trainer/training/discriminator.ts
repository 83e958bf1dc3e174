import * as tfl from '@tensorflow/tfjs-layers';
import { batchNormalization } from '../models/batchNormalization';

/**
 * DANN's domain discriminator on pooled features: Linear(d, h) -> ReLU -> BatchNorm -> Linear(h, 1),
 * one logit per image (the sigmoid lives in the loss, for numerical stability).
 */
export function buildDiscriminator(featureSize: number, hidden: number, name: string): tfl.LayersModel {
  const input = tfl.input({ shape: [featureSize], name: `${name}_features` });
  let x = tfl.layers.dense({ units: hidden, activation: 'relu', name: `${name}_hidden` }).apply(input) as tfl.SymbolicTensor;
  x = batchNormalization({ name: `${name}_bn` }).apply(x) as tfl.SymbolicTensor;
  const logit = tfl.layers.dense({ units: 1, name: `${name}_logit` }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logit, name });
}
