import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
// A used import: the package marks its node entry side-effect free, which would drop the backend.
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { validateExperimentDocument } from '../../src/experiment/validateExperiment';
import { defaultFeaturePairs } from '../../src/experiment/featureMapLayers';
import type { ModelSpec } from '../../src/experiment/experiment';
import { attentionTransferLoss, hintLoss } from '../../src/trainer/losses/featureDistillation';
import { buildNet } from '../../src/trainer/training/nets';
import { createFeatureDistillation, HINT_ADAPTERS } from '../../src/trainer/training/featureDistillation';
import { assertClose, centralDifferenceGradient, seededValues } from './numericChecks';
import { tinyExperiment } from '../fixtures/experiments';

// Distillation from hidden layers (kd.features): attention transfer and FitNets' hint, against
// values worked out by hand and gradients against central differences.

function value(scalar: tf.Scalar): number {
  const result = scalar.dataSync()[0];
  scalar.dispose();
  return result;
}

/** The gradient of `loss(student)` with respect to the student's map, analytic and by central differences. */
function gradients(
  loss: (student: tf.Tensor4D) => tf.Scalar,
  shape: [number, number, number, number],
  values: Float32Array,
): { analytic: Float32Array; numeric: Float32Array } {
  const analytic = tf.tidy(
    () =>
      tf
        .grad((x: tf.Tensor) => loss(x as tf.Tensor4D))(tf.tensor4d(values, shape))
        .dataSync() as Float32Array,
  );
  const numeric = centralDifferenceGradient((changed) => value(tf.tidy(() => loss(tf.tensor4d(changed, shape)))), values, 1e-2);
  return { analytic, numeric };
}

before(async () => {
  assert.ok(version_cpu);
  await tf.setBackend('cpu');
});

describe('attention transfer', () => {
  it('is the mean squared difference of the normalised maps mean_c(A²), worked out by hand', () => {
    // Student energies 1 and 4 -> (1, 4)/√17; teacher (1, 1) and (0, 2) -> energies 1 and 2 -> (1, 2)/√5.
    const student = tf.tensor4d([1, 2], [1, 2, 1, 1]);
    const teacher = tf.tensor4d([1, 1, 0, 2], [1, 2, 1, 2]);
    const expected = ((1 / Math.sqrt(17) - 1 / Math.sqrt(5)) ** 2 + (4 / Math.sqrt(17) - 2 / Math.sqrt(5)) ** 2) / 2;
    assertClose(value(attentionTransferLoss(student, teacher)), expected, { relative: 1e-5 });
    assertClose(expected, 0.0238129, { relative: 1e-5 });
    tf.dispose([student, teacher]);
  });

  it("averages a teacher map twice the student's size over 2x2 blocks first", () => {
    // Energies [[1, 1, 2, 2], [1, 1, 2, 2]] average to (1, 2) per block: the same loss as above.
    const r = Math.SQRT2;
    const teacher = tf.tensor4d([1, 1, r, r, 1, 1, r, r], [1, 2, 4, 1]);
    const student = tf.tensor4d([1, 2], [1, 1, 2, 1]);
    assertClose(value(attentionTransferLoss(student, teacher)), 0.0238129, { relative: 1e-4 });
    tf.dispose([student, teacher]);
  });

  it('is zero for maps that differ only in scale and channel count', () => {
    const student = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const teacher = tf.tensor4d([3, 3, 6, 6, 9, 9, 12, 12], [1, 2, 2, 2]);
    assertClose(value(attentionTransferLoss(student, teacher)), 0, { absolute: 1e-7 });
    tf.dispose([student, teacher]);
  });

  it("has the gradient central differences give, with respect to the student's map", () => {
    const shape: [number, number, number, number] = [2, 3, 3, 2];
    const teacher = tf.tensor4d(seededValues(2 * 3 * 3 * 4, 7, -1, 1), [2, 3, 3, 4]);
    const { analytic, numeric } = gradients((student) => attentionTransferLoss(student, teacher), shape, seededValues(36, 11, -1, 1));
    assertClose(analytic, numeric, { relative: 2e-2, absolute: 1e-4 }, 'd AT / d student');
    teacher.dispose();
  });
});

describe('hint regression', () => {
  it("is the mean squared difference from the teacher's map, averaged to the student's size", () => {
    const student = tf.tensor4d([2], [1, 1, 1, 1]);
    const teacher = tf.tensor4d([1, 3, 5, 7], [1, 2, 2, 1]);
    assert.equal(value(hintLoss(student, teacher)), 4, '(2 - mean(1, 3, 5, 7))²');
    tf.dispose([student, teacher]);
  });

  it('refuses maps whose channels differ, saying an adapter is missing', () => {
    const student = tf.zeros<tf.Rank.R4>([1, 2, 2, 3]);
    const teacher = tf.zeros<tf.Rank.R4>([1, 2, 2, 4]);
    assert.throws(() => hintLoss(student, teacher), /student's map \(3\) as in the teacher's \(4\): an adapter is missing/);
    tf.dispose([student, teacher]);
  });

  it("has the gradient central differences give, with respect to the student's map", () => {
    const shape: [number, number, number, number] = [2, 2, 2, 3];
    const teacher = tf.tensor4d(seededValues(2 * 4 * 4 * 3, 5, -1, 1), [2, 4, 4, 3]);
    const { analytic, numeric } = gradients((student) => hintLoss(student, teacher), shape, seededValues(24, 3, -1, 1));
    assertClose(analytic, numeric, { relative: 2e-2, absolute: 1e-4 }, 'd hint / d student');
    teacher.dispose();
  });
});

describe('feature distillation between two nets', () => {
  const teacherSpec: ModelSpec = { architecture: 'lenet5', width: 2 };
  const studentSpec: ModelSpec = { architecture: 'lenet5', width: 1 };
  const shape = { inputShape: [32, 32, 1] as [number, number, number], classes: 10 };

  it('pairs the last map of each stage by default, the deepest stages together', () => {
    assert.deepEqual(defaultFeaturePairs(teacherSpec, studentSpec), [
      { teacher: 'pool1', student: 'pool1' },
      { teacher: 'pool2', student: 'pool2' },
    ]);
    assert.deepEqual(defaultFeaturePairs({ architecture: 'resnet-wide' }, studentSpec), [
      { teacher: 'stage2_block2_relu', student: 'pool1' },
      { teacher: 'stage3_block2_relu', student: 'pool2' },
    ]);
  });

  it('gives a hint one 1x1 adapter per pair whose channels differ, and attention none', () => {
    const nets = { teacher: buildNet(teacherSpec, shape, 1), student: buildNet(studentSpec, shape, 2) };
    const specs = { teacher: teacherSpec, student: studentSpec };
    const hint = createFeatureDistillation({ loss: 'hint', weight: 1, schedule: 'constant' }, specs, nets, 3)!;
    const adapters = hint.extras[HINT_ADAPTERS];
    assert.deepEqual(
      adapters.outputs.map((output) => output.shape),
      [
        [null, 16, 16, 12],
        [null, 6, 6, 32],
      ],
    );
    assert.deepEqual(
      adapters.layers.filter((layer) => layer.getClassName() === 'Conv2D').map((layer) => (layer.getConfig() as { kernelSize: number[] }).kernelSize),
      [
        [1, 1],
        [1, 1],
      ],
    );
    const attention = createFeatureDistillation({ loss: 'attention', weight: 1000, schedule: 'beta' }, specs, nets, 3)!;
    assert.deepEqual(attention.extras, {});
    const twin = { teacher: buildNet(studentSpec, shape, 4), student: nets.student };
    const sameChannels = createFeatureDistillation({ loss: 'hint', weight: 1, schedule: 'constant' }, { teacher: studentSpec, student: studentSpec }, twin, 3)!;
    assert.deepEqual(sameChannels.extras, {}, 'maps of equal channels are compared as they are');
  });

  it("weighs the pairs' sum by weight/2, and by beta under the beta schedule", () => {
    const nets = { teacher: buildNet(teacherSpec, shape, 1), student: buildNet(studentSpec, shape, 2) };
    const specs = { teacher: teacherSpec, student: studentSpec };
    const maps = (channels: number[], seed: number) =>
      [16, 6].map((size, i) => tf.tensor4d(seededValues(2 * size * size * channels[i], seed + i, 0, 1), [2, size, size, channels[i]]));
    const studentMaps = maps([6, 16], 1);
    const teacherMaps = maps([12, 32], 5);
    const bySum = attentionTransferLoss(studentMaps[0], teacherMaps[0]).dataSync()[0] + attentionTransferLoss(studentMaps[1], teacherMaps[1]).dataSync()[0];
    const constant = createFeatureDistillation({ loss: 'attention', weight: 1000, schedule: 'constant' }, specs, nets, 3)!;
    const scheduled = createFeatureDistillation({ loss: 'attention', weight: 1000, schedule: 'beta' }, specs, nets, 3)!;
    assertClose(value(constant.loss(studentMaps, teacherMaps, 0.25)), 500 * bySum, { relative: 1e-5 });
    assertClose(value(scheduled.loss(studentMaps, teacherMaps, 0.25)), 0.25 * 500 * bySum, { relative: 1e-5 });
    tf.dispose([...studentMaps, ...teacherMaps]);
  });
});

describe('kd.features in an experiment file', () => {
  const data = { root: '/data', source: 'src', targets: ['t1'] };
  const validate = (fields: Record<string, unknown>) => validateExperimentDocument(tinyExperiment({ data, ...fields }), '/x/e.kdexp.json');

  it('fills the weight by loss: 1000 for attention, 1 for hint, and the schedule beta', () => {
    const attention = validate({ kd: { features: {} } });
    assert.ok(attention.ok);
    assert.deepEqual(attention.experiment.kd?.features, { loss: 'attention', weight: 1000, schedule: 'beta' });
    const hint = validate({ kd: { features: { loss: 'hint' } } });
    assert.ok(hint.ok);
    assert.equal(hint.experiment.kd?.features?.weight, 1);
  });

  it('refuses it on a method with no teacher to distil from, naming the field', () => {
    const result = validate({ method: { name: 'dann' }, kd: { features: {} } });
    assert.ok(!result.ok);
    assert.deepEqual(
      result.problems.map((problem) => [problem.path, problem.message]),
      [['kd.features', "kd.features distils a teacher's hidden layers into the student: it applies to kd-stda, kd-mtda, mt-mtda, not dann"]],
    );
  });

  it('names a layer that is no feature map of its model, with the maps it has', () => {
    const result = validate({ kd: { features: { layers: [{ teacher: 'stage3_block1_relu', student: 'fc1' }] } } });
    assert.ok(!result.ok);
    assert.deepEqual(
      result.problems.map((problem) => [problem.path, problem.message]),
      [['kd.features.layers[0].student', 'the student (lenet5) has no feature map "fc1"; its feature maps: conv1, pool1, conv2, pool2']],
    );
  });

  it('leaves an experiment that uses neither kd.features nor online-kd as it resolved before both (so sweeps still recognise its runs)', () => {
    const plain = validate({});
    assert.ok(plain.ok);
    assert.equal(plain.experiment.kd, undefined);
    assert.deepEqual(Object.keys(plain.experiment.method).sort(), [
      'alpha',
      'beta',
      'discriminator',
      'gamma',
      'kdDirection',
      'model',
      'name',
      'studentAdversarial',
      'temperature',
      'udaLoss',
    ]);
    const online = validate({ method: { name: 'online-kd' } });
    assert.ok(online.ok);
    assert.equal(online.experiment.method.branches, 3, 'online-kd gets its three branches');
  });

  it('asks for the layers of a saved backbone, which has no default maps', () => {
    const result = validate({ teacher: { architecture: 'saved', path: 'model.json' }, kd: { features: {} } });
    assert.ok(!result.ok);
    assert.ok(
      result.problems.some(
        (problem) => problem.path === 'kd.features' && /the teacher is a saved model, whose feature maps have no default/.test(problem.message),
      ),
      JSON.stringify(result.problems),
    );
  });
});
