import type { LayersModel } from '@tensorflow/tfjs-layers';

/** Architectures the trainer can build by name (an experiment's `teacher` / `student`). */
export type ModelName = 'lenet5' | 'resnet-small';

export interface ModelOptions {
  /** [height, width, channels] of one image. */
  inputShape: [number, number, number];
  classes: number;
  /** Channel multiplier (1 = the published widths). */
  width?: number;
  /** Residual blocks per stage (resnet-small; lenet5 ignores it). */
  depth?: number;
  /** The layer whose output is the adaptation features (see ADAPTATION_LAYERS); left out: the architecture's default. */
  adaptAt?: string;
}

/**
 * A classifier in three parts: `trunk` maps an image to the adaptation features, which the UDA
 * loss (DANN, MMD) and the domain discriminators read; `head` maps those features to logits, which
 * cross-entropy and distillation read. The DANN paper puts its digit discriminator on the
 * convolutional features with the dense layers in the head: after the dense layers, domains align
 * without their classes aligning.
 */
export interface SplitClassifier {
  /** What it was built as: a named architecture, or `saved` (a backbone from a file). */
  name: ModelName | 'saved';
  trunk: LayersModel;
  head: LayersModel;
  /** The layer the trunk ends at. */
  adaptAt: string;
  /** Length of one adaptation feature vector. */
  adaptationSize: number;
}
