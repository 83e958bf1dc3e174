import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { BatchNormalization } from '@tensorflow/tfjs-layers/dist/layers/normalization';
import type { BatchNormalizationLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/normalization';
import { batchNormInTraining, hasBatchNormTrainingKernel, type BatchNormInTraining } from '../backends/gradients/batchNormTraining';

/** The stock layer's state this one reads (private in tfjs-layers' typings). */
interface BatchNormState {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: LayerVariable;
  beta?: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

/**
 * tfjs-layers' BatchNormalization, with a training step that runs as one fused kernel where the
 * backend has it (see backends/gradients/batchNormTraining): same parameters, same moving-average
 * update, same results. It registers under the stock class name, so saved models and checkpoints
 * (which name `BatchNormalization`) load as this class and serialise exactly as before; inference,
 * other layouts and backends without the kernel run the stock code.
 *
 * It also trains layers built with `scale: false` or `center: false` (Keras's InceptionV3 has
 * them throughout), on which the stock layer's training step fails reading the missing gamma:
 * a missing scale is 1 and a missing offset 0, as in inference.
 */
export class FusedBatchNormalization extends BatchNormalization {
  static override className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor | tf.Tensor[] {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const state = this as unknown as BatchNormState;
    const channelsLast = state.axis === -1 || state.axis === input.rank - 1;
    const ours = kwargs.training === true && channelsLast && (input.rank === 4 || input.rank === 2) && input.dtype === 'float32';
    const fused = ours && hasBatchNormTrainingKernel();
    const complete = state.gamma != null && state.beta != null;
    if (!ours || (!fused && complete)) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const channels = input.shape[input.rank - 1];
      const scale = state.gamma?.read() ?? tf.ones([channels]);
      const offset = state.beta?.read() ?? tf.zeros([channels]);
      const { normalized, mean, variance } = fused ? fusedTraining(input, scale, offset, state.epsilon) : momentsTraining(input, scale, offset, state.epsilon);
      updateMovingAverage(state.movingMean, mean, state.momentum);
      updateMovingAverage(state.movingVariance, variance, state.momentum);
      return normalized;
    });
  }
}

function fusedTraining(input: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, epsilon: number): BatchNormInTraining {
  const channels = input.shape[input.rank - 1];
  // TensorFlow's fused op takes rank 4 only; a [N, C] batch is N pixels of C channels.
  const pixels = input.rank === 4 ? input : tf.reshape(input, [-1, 1, 1, channels]);
  const result = batchNormInTraining(pixels, scale, offset, epsilon);
  return input.rank === 4 ? result : { ...result, normalized: tf.reshape(result.normalized, input.shape) };
}

/** The stock layer's arithmetic (moments, then batchNorm), for backends without the fused kernel. */
function momentsTraining(input: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, epsilon: number): BatchNormInTraining {
  const { mean, variance } = tf.moments(
    input,
    input.shape.slice(0, -1).map((_, axis) => axis),
  );
  return { normalized: tf.batchNorm(input, mean, variance, offset, scale, epsilon), mean, variance };
}

/** The stock layer's update, op for op: average -= (average - batch value) * (1 - momentum). */
function updateMovingAverage(average: LayerVariable, value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const current = average.read();
    average.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - momentum)));
  });
}

tf.serialization.registerClass(FusedBatchNormalization);

export function batchNormalization(args: BatchNormalizationLayerArgs): FusedBatchNormalization {
  return new FusedBatchNormalization(args);
}
