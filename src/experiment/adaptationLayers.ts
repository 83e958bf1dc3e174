import type { Architecture } from './experiment';

/**
 * Where each built-in architecture may be cut into trunk and head (a model spec's `adaptAt`), the
 * default first. Pure, so that an experiment naming a layer that does not exist is refused before
 * anything is built. A `saved` backbone may be cut at any single-input layer on the way to its
 * feature layer; that is checked against its model file.
 */
export const ADAPTATION_LAYERS: Record<Exclude<Architecture, 'saved'>, readonly string[]> = {
  // The DANN paper's digit recipe: the flattened conv features, the dense layers in the head.
  // fc2 is where the discriminator read before (84-d, after the dense layers).
  lenet5: ['flatten', 'fc1', 'fc2'],
  // Global average pooling: the only point the residual stages pass through as one vector.
  'resnet-small': ['pool'],
  'resnet-wide': ['pool'],
};

/**
 * The cut an older checkpoint, written before the split was recorded, was trained with: every
 * architecture then ended its features where its linear head began.
 */
export const LEGACY_ADAPTATION_LAYERS: Record<Exclude<Architecture, 'saved'>, string> = {
  lenet5: 'fc2',
  'resnet-small': 'pool',
  'resnet-wide': 'pool',
};

export function defaultAdaptationLayer(architecture: Exclude<Architecture, 'saved'>): string {
  return ADAPTATION_LAYERS[architecture][0];
}
