import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startBackend } from '../../src/trainer/cli/startBackend';
import { buildDiscriminator } from '../../src/trainer/training/discriminator';
import type { Learner } from '../../src/trainer/training/learner';
import { studentAdversarialLoss } from '../../src/trainer/training/steps';
import { assertClose } from './numericChecks';

// The student's two adversarial terms on a fixed batch, against values worked by hand: a linear
// discriminator z = f.w + b behind gradient reversal with delta = 0.5.

const w = [0.5, -1, 2];
const b = 0.25;
const delta = 0.5;
const source = [
  [1, 0, 0.5],
  [0, 1, -0.5],
];
const target = [
  [2, 1, 0],
  [-1, 0, 1],
];
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => Math.log1p(Math.exp(x));
const logit = (f: number[]) => f.reduce((sum, value, i) => sum + value * w[i], b);

function studentWithLinearDiscriminator(): Learner {
  const discriminator = buildDiscriminator(3, { hidden: [], batchNorm: false, dropout: 0 }, 'student_discriminator');
  discriminator.setWeights([tf.tensor2d(w, [3, 1]), tf.tensor1d([b])]);
  return { role: 'student', discriminator } as unknown as Learner;
}

function lossAndGradients(kind: 'two-domain' | 'target-only'): { loss: number; source: Float32Array; target: Float32Array } {
  const student = studentWithLinearDiscriminator();
  const features = [tf.tensor2d(source), tf.tensor2d(target)];
  // 0 * sum(s) keeps the source features in the graph, so a term that ignores them gets a zero gradient rather than an error.
  const term = (s: tf.Tensor, t: tf.Tensor) =>
    tf.add<tf.Scalar>(studentAdversarialLoss(student, s as tf.Tensor2D, t as tf.Tensor2D, kind, delta), tf.mul(tf.sum(s), 0));
  const { value, grads } = tf.valueAndGrads(term)(features);
  return { loss: value.dataSync()[0], source: grads[0].dataSync() as Float32Array, target: grads[1].dataSync() as Float32Array };
}

/** dL/df through the reversal: -delta * dL/dz * w, for each image's dL/dz. */
const reversed = (dz: number[]) => Float32Array.from(dz.flatMap((d) => w.map((wi) => -delta * d * wi)));

before(() => startBackend('wasm', () => undefined));

describe("the student's adversarial term", () => {
  it('two-domain: binary cross-entropy over source (1) and target (0), both domains get the reversed gradient', () => {
    const { loss, source: ds, target: dt } = lossAndGradients('two-domain');
    const zs = source.map(logit);
    const zt = target.map(logit);
    assertClose(loss, (zs.map((z) => softplus(-z)).reduce((a, c) => a + c) + zt.map(softplus).reduce((a, c) => a + c)) / 4, { absolute: 1e-5 }, 'loss');
    assertClose(ds, reversed(zs.map((z) => -sigmoid(-z) / 4)), { relative: 1e-5, absolute: 1e-6 }, 'd/d source features');
    assertClose(dt, reversed(zt.map((z) => sigmoid(z) / 4)), { relative: 1e-5, absolute: 1e-6 }, 'd/d target features');
  });

  it('target-only: target samples labelled 0 alone; the source features get no gradient', () => {
    const { loss, source: ds, target: dt } = lossAndGradients('target-only');
    const zt = target.map(logit);
    assertClose(loss, zt.map(softplus).reduce((a, c) => a + c) / 2, { absolute: 1e-5 }, 'loss');
    assert.deepEqual(Array.from(ds), [0, 0, 0, 0, 0, 0]);
    assertClose(dt, reversed(zt.map((z) => sigmoid(z) / 2)), { relative: 1e-5, absolute: 1e-6 }, 'd/d target features');
  });
});
