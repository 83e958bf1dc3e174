import * as tf from '@tensorflow/tfjs-core';

/** Mean binary cross-entropy of logits against a constant label, computed stably from logits. */
function meanSigmoidCrossEntropy(logits: tf.Tensor, label: 0 | 1): tf.Scalar {
  // max(x, 0) - x * y + log(1 + exp(-|x|))
  return tf.mean<tf.Scalar>(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, label)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
}

/**
 * The domain discriminator's loss: binary cross-entropy with source = 1 and target = 0, over
 * the discriminator's logits for a source batch and a target batch (averaged over both, so that
 * unequal batch sizes weight samples equally).
 */
export function domainAdversarialLoss(sourceLogits: tf.Tensor, targetLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const ns = sourceLogits.size;
    const nt = targetLogits.size;
    const source = tf.mul(meanSigmoidCrossEntropy(sourceLogits, 1), ns);
    const target = tf.mul(meanSigmoidCrossEntropy(targetLogits, 0), nt);
    return tf.div<tf.Scalar>(tf.add(source, target), ns + nt);
  });
}

/** The adversarial loss on target samples only (what the MT-MTDA code gives the student). */
export function targetAdversarialLoss(targetLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => meanSigmoidCrossEntropy(targetLogits, 0));
}
