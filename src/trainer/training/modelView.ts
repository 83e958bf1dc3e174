import type { LayersModel } from '@tensorflow/tfjs-layers';

/**
 * A model a method evaluates, checkpoints and costs like a learner's net, but whose weights a
 * learner trains, saves and restores (online KD's other branches, and their aggregate): it is
 * scored every epoch and saved in each checkpoint set under its own role, the model alone (what
 * deploying or comparing it needs; resuming restores its weights through the learner), and its
 * cost is its own, not the learner's.
 */
export interface ModelView {
  role: string;
  /** image -> logits, the whole model. */
  model: LayersModel;
  /** What its checkpoint's meta.json records of it. */
  architecture: string;
  adaptAt?: string;
  adaptationSize?: number;
}
