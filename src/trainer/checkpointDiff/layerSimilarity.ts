import * as tf from '@tensorflow/tfjs-core';

/**
 * The Gram matrix of the rows with each feature centred, XcXcᵀ (n × n, row-major), which is
 * HKH for K = XXᵀ and H the centring matrix: what linear CKA compares.
 */
export function centredGram(features: tf.Tensor2D): Float64Array {
  const gram = tf.tidy(() => {
    const centred = tf.sub(features, tf.mean(features, 0, true));
    return tf.matMul(centred, centred, false, true);
  });
  try {
    return Float64Array.from(gram.dataSync());
  } finally {
    gram.dispose();
  }
}

/**
 * Linear CKA (Kornblith et al. 2019) from two centred Gram matrices of the same images:
 * ⟨K, L⟩ / (‖K‖ ‖L‖), which equals ‖YcᵀXc‖²_F / (‖XcᵀXc‖_F ‖YcᵀYc‖_F). 0 when either layer is
 * constant over the images.
 */
export function linearCka(k: Float64Array, l: Float64Array): number {
  if (k.length !== l.length) throw new Error(`linear CKA: Gram matrices of ${k.length} and ${l.length} entries`);
  let kl = 0;
  let kk = 0;
  let ll = 0;
  for (let i = 0; i < k.length; i++) {
    kl += k[i] * l[i];
    kk += k[i] * k[i];
    ll += l[i] * l[i];
  }
  return kk > 0 && ll > 0 ? kl / Math.sqrt(kk * ll) : 0;
}
