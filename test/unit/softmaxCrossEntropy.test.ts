import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '../../src/trainer/backends/initBackend';
import { locateNativePackage } from '../../src/trainer/backends/nativeTensorFlow';
import { softmaxCrossEntropy, softmaxCrossEntropyKernel } from '../../src/trainer/backends/gradients/softmaxCrossEntropy';
import { crossEntropy } from '../../src/trainer/losses/crossEntropy';
import { assertClose, seededValues, type Tolerance } from './numericChecks';

// The one-kernel softmax cross-entropy (src/trainer/backends/gradients/softmaxCrossEntropy) on the
// backends that have it, against tfjs's own composition on the cpu backend: the trainer's loss and
// its gradient, and the kernel's gradients with respect to logits and soft labels.

function valuesFor(size: number, seed: number): Float32Array {
  return seededValues(size, seed, -3, 3);
}

const [rows, classes] = [7, 5];
const logitValues = valuesFor(rows * classes, 1);
const classLabels = Int32Array.from({ length: rows }, (_, i) => (i * 3) % classes);

/** The trainer's loss and its gradient with respect to the logits. */
function trainerLoss(): Float32Array[] {
  return tf.tidy(() => {
    const logits = tf.tensor2d(logitValues, [rows, classes]);
    const labels = tf.tensor1d(classLabels, 'int32');
    const value = crossEntropy(logits, labels);
    const [gradient] = tf.grads((z: tf.Tensor) => crossEntropy(z as tf.Tensor2D, labels))([logits]);
    return [value.dataSync() as Float32Array, gradient.dataSync() as Float32Array];
  });
}

/** Per-row loss of soft labels, weighted, differentiated with respect to logits and labels. */
function softLabels(kernel: boolean): Float32Array[] {
  return tf.tidy(() => {
    const logits = tf.tensor2d(logitValues, [rows, classes]);
    const labels = tf.softmax(tf.tensor2d(valuesFor(rows * classes, 2), [rows, classes]));
    const weights = tf.tensor1d(valuesFor(rows, 3));
    const perRow = (z: tf.Tensor, y: tf.Tensor) => (kernel ? softmaxCrossEntropy(z, y) : tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(z)), 1)));
    const loss = (z: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(perRow(z, y), weights));
    return [loss(logits, labels), ...tf.grads(loss)([logits, labels])].map((t) => t.dataSync() as Float32Array);
  });
}

const TOLERANCE: Tolerance = { relative: 1e-5, absolute: 1e-5 };

async function assertMatchesComposition(backend: 'wasm' | 'tensorflow'): Promise<void> {
  await tf.setBackend('cpu');
  const composed = trainerLoss();
  const composedSoft = softLabels(false);
  await initBackend(backend);
  assert.ok(tf.getKernel(softmaxCrossEntropyKernel, backend));
  const profile = await tf.profile(() => trainerLoss());
  assert.ok(
    profile.kernels.some((kernel) => kernel.name === softmaxCrossEntropyKernel),
    'the trainer loss ran the fused kernel',
  );
  trainerLoss().forEach((values, i) => assertClose(values, composed[i], TOLERANCE, `${backend} trainer loss ${['value', 'dlogits'][i]}`));
  softLabels(true).forEach((values, i) => assertClose(values, composedSoft[i], TOLERANCE, `${backend} soft labels ${['loss', 'dlogits', 'dlabels'][i]}`));
}

describe('softmax cross-entropy as one kernel', () => {
  it("matches tfjs's composition on wasm (loss, logits and labels gradients)", () => assertMatchesComposition('wasm'));

  const native = locateNativePackage('@tensorflow/tfjs-node');
  it("matches tfjs's composition on native TensorFlow", { skip: native ? false : 'no native TensorFlow build here' }, () =>
    assertMatchesComposition('tensorflow'),
  );
});
