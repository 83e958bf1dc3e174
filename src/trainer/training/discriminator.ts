import * as tfl from '@tensorflow/tfjs-layers';
import type { DiscriminatorShape } from '../../experiment/discriminatorPresets';
import { batchNormalization } from '../models/batchNormalization';

/**
 * A domain discriminator on adaptation features: per hidden layer Linear -> ReLU, then batch norm
 * and dropout where the shape asks for them, and a last Linear to one logit per image (the sigmoid
 * lives in the loss, for numerical stability).
 */
export function buildDiscriminator(inputSize: number, shape: DiscriminatorShape, name: string): tfl.LayersModel {
  const input = tfl.input({ shape: [inputSize], name: `${name}_features` });
  let x = input;
  shape.hidden.forEach((units, index) => {
    // The first layer keeps the names it had before presets, which older checkpoints hold.
    const suffix = index === 0 ? '' : `${index + 1}`;
    x = tfl.layers.dense({ units, activation: 'relu', name: `${name}_hidden${suffix}` }).apply(x) as tfl.SymbolicTensor;
    if (shape.batchNorm) x = batchNormalization({ name: `${name}_bn${suffix}` }).apply(x) as tfl.SymbolicTensor;
    if (shape.dropout > 0) x = tfl.layers.dropout({ rate: shape.dropout, name: `${name}_dropout${suffix}` }).apply(x) as tfl.SymbolicTensor;
  });
  const logit = tfl.layers.dense({ units: 1, name: `${name}_logit` }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: logit, name });
}
