import * as tf from '@tensorflow/tfjs-core';
import { batchNormGradient } from './batchNormGradient';
import { batchNormTrainingGradient } from './batchNormTraining';
import { meanGradient } from './meanGradient';
import { reluGradient } from './reluGradient';
import { softmaxCrossEntropyGradient } from './softmaxCrossEntropy';

export const trainingGradients: tf.GradConfig[] = [batchNormGradient, batchNormTrainingGradient, meanGradient, reluGradient, softmaxCrossEntropyGradient];

/**
 * Puts the leaner gradients in place of tfjs-core's for every backend. Gradients live in one
 * registry shared by all copies of tfjs in the process, and tfjs-node's copy registers tfjs-core's
 * own again when it loads: so this runs after the backend has started. Returns the kernel names.
 */
export function registerTrainingGradients(): string[] {
  for (const gradient of trainingGradients) {
    if (tf.getGradient(gradient.kernelName) !== gradient) tf.registerGradient(gradient);
  }
  return trainingGradients.map((gradient) => gradient.kernelName);
}
