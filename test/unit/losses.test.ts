import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
// A used import: the package marks its node entry side-effect free, which would drop the backend.
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { crossEntropy } from '../../src/trainer/losses/crossEntropy';
import { distillationLoss, labelledDistillationLoss } from '../../src/trainer/losses/distillation';
import { domainAdversarialLoss, targetAdversarialLoss } from '../../src/trainer/losses/domainAdversarial';
import { reverseGradient } from '../../src/trainer/losses/gradientReversal';
import { multiKernelMmd } from '../../src/trainer/losses/mmd';
import { annealedLearningRate, learningRateProgress, progressiveBeta, reversalWeight } from '../../src/trainer/schedules';
import { assertClose } from './numericChecks';

function value(scalar: tf.Scalar): number {
  const result = scalar.dataSync()[0];
  scalar.dispose();
  return result;
}

describe('losses (values worked out by hand)', () => {
  before(async () => {
    assert.ok(version_cpu, 'the cpu backend is loaded');
    assert.ok(await tf.setBackend('cpu'));
  });

  it('cross-entropy averages -log softmax of the true class', () => {
    // row 1: -log(e^3 / (e^1 + e^2 + e^3)) = 0.407606; row 2: -log(1/3) = 1.098612
    assertClose(
      value(
        crossEntropy(
          tf.tensor2d([
            [1, 2, 3],
            [0, 0, 0],
          ]),
          tf.tensor1d([2, 0], 'int32'),
        ),
      ),
      (0.407606 + 1.098612) / 2,
      { absolute: 1e-5 },
    );
  });

  it('KD is T^2 KL(teacher || student) on softened distributions; the reverse direction on request', () => {
    const teacher = tf.tensor2d([[0, Math.log(3)]]);
    const student = tf.tensor2d([[0, 0]]);
    // T = 1: p = (1/4, 3/4), q = (1/2, 1/2): KL(p||q) = 1/4 ln(1/2) + 3/4 ln(3/2) = 0.130812
    assertClose(value(distillationLoss(teacher, student, 1)), 0.130812, { absolute: 1e-5 });
    // T = 2: p = (1, sqrt 3) / (1 + sqrt 3): KL = 0.036343, times T^2 = 4
    assertClose(value(distillationLoss(teacher, student, 2)), 4 * 0.036343, { absolute: 1e-4 });
    // KL(q||p) = 1/2 ln 2 + 1/2 ln(2/3) = 0.143841
    assertClose(value(distillationLoss(teacher, student, 1, 'student-to-teacher')), 0.143841, { absolute: 1e-5 });
    assertClose(value(distillationLoss(teacher, teacher, 20)), 0, { absolute: 1e-5 });
  });

  it('source KD with labels mixes KD and cross-entropy by alpha', () => {
    const teacher = tf.tensor2d([[0, Math.log(3)]]);
    const student = tf.tensor2d([[0, 0]]);
    const labels = tf.tensor1d([1], 'int32');
    assertClose(value(labelledDistillationLoss(teacher, student, labels, 1, 0.3)), 0.3 * 0.130812 + 0.7 * Math.log(2), { absolute: 1e-5 });
  });

  it('the domain loss is binary cross-entropy with source = 1 and target = 0', () => {
    assertClose(value(domainAdversarialLoss(tf.tensor1d([0]), tf.tensor1d([0]))), Math.log(2), { absolute: 1e-5 });
    // source logit 2: log(1 + e^-2) = 0.126928; target logit -1: log(1 + e^-1) = 0.313262
    assertClose(value(domainAdversarialLoss(tf.tensor1d([2]), tf.tensor1d([-1]))), (0.126928 + 0.313262) / 2, { absolute: 1e-5 });
    // unequal batches weight every sample equally: (0.126928 + 2 * 0.313262) / 3
    assertClose(value(domainAdversarialLoss(tf.tensor1d([2]), tf.tensor1d([-1, -1]))), (0.126928 + 2 * 0.313262) / 3, { absolute: 1e-5 });
    assertClose(value(targetAdversarialLoss(tf.tensor1d([-1]))), 0.313262, { absolute: 1e-5 });
    // stable for large logits (no log(0))
    assert.ok(Number.isFinite(value(domainAdversarialLoss(tf.tensor1d([-200]), tf.tensor1d([200])))));
  });

  it('gradient reversal passes values through and multiplies the gradient by -delta', () => {
    const x = tf.tensor1d([1, -2, 3]);
    const weights = tf.tensor1d([0.5, 1, -4]);
    assert.deepEqual(Array.from(reverseGradient(x, 0.7).dataSync()), [1, -2, 3]);
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(reverseGradient(input, 0.7), weights)))(x);
    const expected = [-0.35, -0.7, 2.8];
    Array.from(gradient.dataSync()).forEach((g, i) => assertClose(g, expected[i], { absolute: 1e-5 }));
    // without the layer the gradient is +weights: the sign is what makes features domain-confusing
    const plain = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(input, weights)))(x);
    assert.deepEqual(Array.from(plain.dataSync()), [0.5, 1, -4]);
  });

  it('multi-kernel MMD is 0 for identical batches and matches a hand value for two points', () => {
    const features = tf.tensor2d([
      [0.1, 0.2],
      [0.3, -0.5],
      [1, 2],
    ]);
    assertClose(value(multiKernelMmd(features, features)), 0, { absolute: 1e-5 });
    // distances [[0,1],[1,0]]; mean off-diagonal 1; bandwidths 1/4..4: K(1) = sum of exp(-1/b) = 1.906862
    assertClose(value(multiKernelMmd(tf.tensor2d([[0]]), tf.tensor2d([[1]]))), 5 + 5 - 2 * 1.906862, { absolute: 1e-4 });
  });
});

describe('schedules', () => {
  it('beta grows exponentially from start by ln(end/start)/E per epoch', () => {
    assertClose(progressiveBeta(1, 10, 0.1, 0.9), 0.1, { absolute: 1e-5 });
    assertClose(progressiveBeta(11, 10, 0.1, 0.9), 0.9, { absolute: 1e-5 });
    assertClose(progressiveBeta(6, 10, 0.1, 0.9), 0.1 * Math.sqrt(9), { absolute: 1e-5 });
    assert.ok(progressiveBeta(2, 10, 0.1, 0.9) > progressiveBeta(1, 10, 0.1, 0.9));
  });

  it('the learning rate anneals as lr0 / (1 + 10 p)^0.75', () => {
    assertClose(annealedLearningRate(0, 0.01), 0.01, { absolute: 1e-5 });
    assertClose(annealedLearningRate(1, 0.01), 0.01 / Math.pow(11, 0.75), { absolute: 1e-5 });
    assertClose(annealedLearningRate(0.1, 1), 1 / Math.pow(2, 0.75), { absolute: 1e-5 });
  });

  it('per step, p is the share of all steps done; per epoch, (e - 1) / E for every step of epoch e', () => {
    // 10 epochs of 100 steps: step 250 is the 51st step of epoch 3.
    const at = { epoch: 3, epochs: 10, globalStep: 250, totalSteps: 1000 };
    assertClose(learningRateProgress('per-step', at), 0.25, { absolute: 1e-5 });
    assertClose(learningRateProgress('per-epoch', at), 0.2, { absolute: 1e-5 });
    assertClose(learningRateProgress('per-epoch', { ...at, globalStep: 201 }), 0.2, { absolute: 1e-5 });
    assertClose(annealedLearningRate(learningRateProgress('per-step', at), 0.01), 0.01 / Math.pow(3.5, 0.75), { absolute: 1e-5 });
    assertClose(annealedLearningRate(learningRateProgress('per-epoch', at), 0.01), 0.01 / Math.pow(3, 0.75), { absolute: 1e-5 });
  });

  it('the reversal weight ramps from 0 to nearly 1', () => {
    assertClose(reversalWeight(0), 0, { absolute: 1e-5 });
    assertClose(reversalWeight(0.5), 2 / (1 + Math.exp(-5)) - 1, { absolute: 1e-5 });
    assertClose(reversalWeight(1), 0.999909, { absolute: 1e-6 });
  });
});
