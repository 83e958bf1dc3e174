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
}

/**
 * A classifier split where the methods need it: DANN/MMD losses and domain discriminators act on
 * `features` (pooled feature vectors); `classifier` maps them to logits.
 */
export interface SplitClassifier {
  /** What it was built as: a named architecture, or `saved` (a backbone from a file). */
  name: ModelName | 'saved';
  features: LayersModel;
  classifier: LayersModel;
  /** Length of one feature vector. */
  featureSize: number;
}
