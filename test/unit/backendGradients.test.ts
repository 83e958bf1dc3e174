import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerTrainingGradients } from '../../src/trainer/backends/gradients/registerTrainingGradients';
import { loadWasmBackend } from '../../src/trainer/backends/wasmBackend';
import { assertClose, seededValues, type Tolerance } from './numericChecks';

// The leaner batch-norm and mean gradients (src/trainer/backends/gradients) against tfjs-core's
// own, on the same inputs: batch norm in training mode as tfjs-layers computes it (moments, then
// batchNorm), differentiated with respect to the input, scale and offset.

function valuesFor(size: number, seed: number): Float32Array {
  return seededValues(size, seed, -2, 2);
}

// Always with a scale: tfjs-core cannot differentiate batchNorm without one (it saves the missing
// input for the backward pass and fails), and tfjs-layers always passes gamma.
interface Case {
  shape: number[];
  axes: number[];
}

const cases: Case[] = [
  { shape: [2, 3, 3, 4], axes: [0, 1, 2] },
  { shape: [1, 5, 3, 2], axes: [0, 1, 2] },
  { shape: [6, 5], axes: [0] },
];

function gradients(c: Case): Float32Array[] {
  const size = c.shape.reduce((a, b) => a * b);
  const channels = c.shape[c.shape.length - 1];
  return tf.tidy(() => {
    const x = tf.tensor(valuesFor(size, 1), c.shape);
    const scale = tf.tensor1d(valuesFor(channels, 2));
    const offset = tf.tensor1d(valuesFor(channels, 3));
    const weights = tf.tensor(valuesFor(size, 4), c.shape);
    const loss = (xIn: tf.Tensor, scaleIn: tf.Tensor, offsetIn: tf.Tensor) => {
      const { mean, variance } = tf.moments(xIn, c.axes);
      const y = tf.batchNorm(xIn, mean, variance, offsetIn, scaleIn, 1e-3);
      return tf.sum(tf.mul(y, weights));
    };
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => loss(a, b, d))([x, scale, offset]);
    return grads.map((g) => g.dataSync() as Float32Array);
  });
}

const TOLERANCE: Tolerance = { relative: 2e-4, absolute: 1e-5 };

describe('training gradients', () => {
  it('batch norm (NHWC and dense) and mean match tfjs-core on cpu and wasm', async () => {
    await loadWasmBackend();
    await tf.setBackend('cpu');
    const stock = cases.map(gradients);
    registerTrainingGradients();
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      cases.forEach((c, i) => {
        const ours = gradients(c);
        ['dx', 'dscale', 'doffset'].forEach((name, k) => assertClose(ours[k], stock[i][k], TOLERANCE, `${backend} [${c.shape.join(', ')}] ${name}`));
      });
    }
  });

  it('relu gradient is dy where x > 0 and 0 elsewhere, on cpu and wasm', async () => {
    await loadWasmBackend();
    registerTrainingGradients();
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const dx = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), tf.tensor1d([1, 2, 3, 4, 5]))))(tf.tensor1d([-2, -0.5, 0, 0.5, 3])));
      assert.deepEqual(Array.from(dx.dataSync()), [0, 0, 0, 4, 5], backend);
      dx.dispose();
    }
  });
});
