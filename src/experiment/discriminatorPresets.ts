import type { Architecture, DiscriminatorSetting } from './experiment';

/** A domain discriminator's shape: Linear -> ReLU [-> BatchNorm] [-> Dropout] per hidden layer, then Linear(1). */
export interface DiscriminatorShape {
  hidden: number[];
  batchNorm: boolean;
  dropout: number;
  /** Weight decay of its kernels; left out: the optimiser's. */
  weightDecay?: number;
}

/**
 * The discriminators of the papers (METHODS.md): the DANN paper's for digits (no batch norm: one
 * in a small discriminator cancelled the whole gain, in PyTorch and here) and for Office-31
 * ResNet features, and the one the KD authors' code puts on ResNet features.
 */
export const DISCRIMINATOR_PRESETS = {
  'dann-digits': { hidden: [100], batchNorm: false, dropout: 0 },
  'dann-office': { hidden: [1024, 1024], batchNorm: false, dropout: 0.5 },
  'authors-resnet': { hidden: [4096], batchNorm: true, dropout: 0 },
} as const satisfies Record<string, DiscriminatorShape>;

export type DiscriminatorPreset = keyof typeof DISCRIMINATOR_PRESETS;

/**
 * The discriminator a learner of `architecture` gets. `auto` follows the DANN paper: its digit
 * discriminator for the digit net, its Office one for ResNets and saved backbones. The deprecated
 * `discriminatorHidden` means what it meant before presets existed (one hidden layer, then batch
 * norm), so that older run folders resume with the discriminator their checkpoints hold.
 */
export function resolveDiscriminator(
  setting: DiscriminatorSetting | undefined,
  legacyHidden: number | undefined,
  architecture: Architecture,
): DiscriminatorShape {
  if (setting === undefined && legacyHidden !== undefined) return { hidden: [legacyHidden], batchNorm: true, dropout: 0 };
  const chosen = setting ?? 'auto';
  if (chosen === 'auto') return copy(DISCRIMINATOR_PRESETS[architecture === 'lenet5' ? 'dann-digits' : 'dann-office']);
  if (typeof chosen === 'string') return copy(DISCRIMINATOR_PRESETS[chosen]);
  return {
    hidden: [...chosen.hidden],
    batchNorm: chosen.batchNorm ?? false,
    dropout: chosen.dropout ?? 0,
    ...(chosen.weightDecay === undefined ? {} : { weightDecay: chosen.weightDecay }),
  };
}

function copy(shape: DiscriminatorShape): DiscriminatorShape {
  return { ...shape, hidden: [...shape.hidden] };
}
