import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { Experiment } from '../../src/experiment/experiment';
import { validateExperimentText } from '../../src/experiment/validateExperiment';
import { startBackend } from '../../src/trainer/cli/startBackend';
import { createMethod } from '../../src/trainer/methods/createMethod';
import type { Method } from '../../src/trainer/methods/method';
import type { Learner } from '../../src/trainer/training/learner';
import type { StepContext } from '../../src/trainer/training/steps';
import { tinyExperiment } from '../fixtures/experiments';
import { assertClose, seededValues, type Tolerance } from './numericChecks';

// Each method's step on one fixed batch: the loss terms it reports, by name, against the same
// terms computed here in plain float64 arithmetic from the logits of the very weights each step
// started from. A spy on every learner's optimiser catches those weights: when a learner applies
// its gradients, its weights are still the ones its losses were computed with. So the spy also
// checks the order of the steps, and MT-MTDA's second student step against the weights its first
// left. LeNet-5 and a discriminator without batch norm or dropout compute the same in training and
// in inference, so an inference pass here reads what the training pass saw. Gradient reversal
// (delta) acts on gradients only, not on these values: studentAdversarial.test.ts checks it.

const SIZE = 16;
const CLASSES = 3;
const PIXELS = SIZE * SIZE * 3;
const LABELS = [0, 2, 1, 2];
const BATCH = LABELS.length;
/** Settings chosen apart from every default and from each other, so a term weighted by the wrong one shows. */
const SETTINGS = { alpha: 0.35, gamma: 0.7, temperature: 3 };
const SCHEDULE = { beta: 0.3, delta: 0.6 };
const TOLERANCE: Tolerance = { relative: 1e-5, absolute: 1e-6 };

const sourceValues = seededValues(BATCH * PIXELS, 11, -1, 1);
const targetValues = { t1: seededValues(BATCH * PIXELS, 12, -1, 1), t2: seededValues(BATCH * PIXELS, 13, 0, 2) };
const images = (values: Float32Array) => tf.tensor4d(values, [values.length / PIXELS, SIZE, SIZE, 3]);
/** KD-MTDA's and DANN's blended target batch, built from the raw images: the first half of t1's, then of t2's. */
const blendedValues = Float32Array.from([...targetValues.t1.subarray(0, 2 * PIXELS), ...targetValues.t2.subarray(0, 2 * PIXELS)]);

// The terms, in float64 from the logits, as METHODS.md writes them.
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const mean = (values: number[]) => sum(values) / values.length;
function logSoftmax(row: number[], temperature = 1): number[] {
  const scaled = row.map((value) => value / temperature);
  const top = Math.max(...scaled);
  const logTotal = top + Math.log(sum(scaled.map((value) => Math.exp(value - top))));
  return scaled.map((value) => value - logTotal);
}
const crossEntropy = (logits: number[][], labels: number[]) => mean(logits.map((row, i) => -logSoftmax(row)[labels[i]]));
/** T^2 KL(p || q) per image, batch mean; p the teacher's softened distribution unless reversed. */
function distillation(teacher: number[][], student: number[][], temperature: number, direction: Experiment['method']['kdDirection']): number {
  return (
    temperature ** 2 *
    mean(
      teacher.map((row, i) => {
        const [p, q] =
          direction === 'teacher-to-student'
            ? [logSoftmax(row, temperature), logSoftmax(student[i], temperature)]
            : [logSoftmax(student[i], temperature), logSoftmax(row, temperature)];
        return sum(p.map((logP, k) => Math.exp(logP) * (logP - q[k])));
      }),
    )
  );
}
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
/** Binary cross-entropy of discriminator logits, source labelled 1 and target 0, mean over both. */
const domainLoss = (source: number[], target: number[]) => (sum(source.map((z) => softplus(-z))) + sum(target.map(softplus))) / (source.length + target.length);

/** A learner's logits and discriminator logits on a batch, from its current weights. */
function outputsOf(learner: Learner, batch: tf.Tensor4D): { logits: number[][]; domain: number[] } {
  return tf.tidy(() => {
    const features = learner.net.trunk.predict(batch) as tf.Tensor2D;
    const logits = (learner.net.head.predict(features) as tf.Tensor2D).arraySync();
    const domain = learner.discriminator ? (learner.discriminator.predict(features) as tf.Tensor2D).arraySync().map(([z]) => z) : [];
    return { logits, domain };
  });
}

/** One learner step a method should take, in order: a supervised one (with a target, adapting to it), or the student distilling from a teacher. */
type PlannedStep =
  | { role: string; kind: 'supervised'; target?: tf.Tensor4D; scale: number; udaWeight: number; name?: (term: string) => string }
  | { role: 'student'; kind: 'distilled'; target: tf.Tensor4D; teacher: string; name?: (term: string) => string };

/**
 * Runs one step of `method` with a spy on every learner's optimiser, and returns the losses it
 * reported and the terms each planned step should have reported, computed from the weights that
 * step started from, named `<role>.<term>` unless the plan names them otherwise.
 */
function stepAgainstPlan(
  method: Method,
  experiment: Experiment,
  batch: { source: tf.Tensor4D; labels: tf.Tensor1D; targets: tf.Tensor4D[] },
  plan: PlannedStep[],
): { reported: Record<string, number>; expected: Record<string, number> } {
  const { alpha, temperature, kdDirection, studentAdversarial } = experiment.method;
  const expected: Record<string, number> = {};
  const teacherLogits = new Map<string, { source: number[][]; target: number[][] }>();
  let taken = 0;
  const expectStep = (learner: Learner) => {
    const step = plan[taken++];
    assert.ok(step, `${learner.role} stepped after the ${plan.length} planned steps`);
    assert.equal(learner.role, step.role, `step ${taken}: the learner that stepped`);
    const name = step.name ?? ((term: string) => `${step.role}.${term}`);
    const source = outputsOf(learner, batch.source);
    if (step.kind === 'supervised') {
      expected[name('ce')] = step.scale * crossEntropy(source.logits, LABELS);
      if (step.target) {
        const target = outputsOf(learner, step.target);
        expected[name('dann')] = step.scale * step.udaWeight * domainLoss(source.domain, target.domain);
        teacherLogits.set(step.role, { source: source.logits, target: target.logits });
      }
      return;
    }
    const teacher = teacherLogits.get(step.teacher);
    assert.ok(teacher, `the student distilled from ${step.teacher} before it stepped`);
    const target = outputsOf(learner, step.target);
    const sourceKd = alpha * distillation(teacher.source, source.logits, temperature, kdDirection) + (1 - alpha) * crossEntropy(source.logits, LABELS);
    expected[name('sourceKd')] = SCHEDULE.beta * sourceKd;
    expected[name('targetKd')] = SCHEDULE.beta * distillation(teacher.target, target.logits, temperature, kdDirection);
    expected[name('adversarial')] =
      alpha * (studentAdversarial === 'two-domain' ? domainLoss(source.domain, target.domain) : mean(target.domain.map(softplus)));
  };
  for (const learner of method.learners) {
    const applyGradients = learner.optimizer.applyGradients.bind(learner.optimizer);
    learner.optimizer.applyGradients = (gradients) => {
      expectStep(learner);
      applyGradients(gradients);
    };
  }
  const context: StepContext = { experiment, schedule: SCHEDULE };
  const reported = method.step(batch, context);
  assert.equal(taken, plan.length, 'every planned step was taken');
  return { reported, expected };
}

function assertTerms(reported: Record<string, number>, expected: Record<string, number>): void {
  assert.deepEqual(Object.keys(reported).sort(), Object.keys(expected).sort(), 'the terms reported');
  for (const [name, value] of Object.entries(expected)) assertClose(reported[name], value, TOLERANCE, name);
}

function setUp(
  method: Record<string, unknown>,
  targets: string[],
): { experiment: Experiment; method: Method; batch: { source: tf.Tensor4D; labels: tf.Tensor1D; targets: tf.Tensor4D[] } } {
  const text = JSON.stringify(
    tinyExperiment({ data: { root: '/data', source: 'src', targets }, teacher: { architecture: 'lenet5' }, method: { ...SETTINGS, ...method }, seed: 7 }),
  );
  const validated = validateExperimentText(text, '/ws/methods.kdexp.json');
  assert.ok(validated.ok, validated.ok ? '' : JSON.stringify(validated.problems));
  const created = createMethod({ experiment: validated.experiment, shape: { inputShape: [SIZE, SIZE, 3], classes: CLASSES }, targets });
  const batch = {
    source: images(sourceValues),
    labels: tf.tensor1d(LABELS, 'int32'),
    targets: targets.map((target) => images(targetValues[target as 't1' | 't2'])),
  };
  return { experiment: validated.experiment, method: created, batch };
}

before(() => startBackend('wasm', () => undefined));

describe('each method’s loss terms on a fixed batch', () => {
  it('source-only: the cross-entropy of the source batch, nothing else', () => {
    const { experiment, method, batch } = setUp({ name: 'source-only', model: 'student' }, ['t1']);
    const { reported, expected } = stepAgainstPlan(method, experiment, batch, [{ role: 'student', kind: 'supervised', scale: 1, udaWeight: 0 }]);
    assertTerms(reported, expected);
  });

  it('DANN on two targets: cross-entropy plus the domain loss against the blended target batch, unweighted', () => {
    const { experiment, method, batch } = setUp({ name: 'dann', model: 'student' }, ['t1', 't2']);
    const { reported, expected } = stepAgainstPlan(method, experiment, batch, [
      { role: 'student', kind: 'supervised', target: images(blendedValues), scale: 1, udaWeight: 1 },
    ]);
    assertTerms(reported, expected);
  });

  it('KD-STDA: the teacher’s (1 - beta)(CE + gamma L_dann), then the student’s beta-weighted source and target KD and alpha-weighted adversarial term', () => {
    const { experiment, method, batch } = setUp({ name: 'kd-stda' }, ['t1']);
    const { reported, expected } = stepAgainstPlan(method, experiment, batch, [
      { role: 'teacher', kind: 'supervised', target: batch.targets[0], scale: 1 - SCHEDULE.beta, udaWeight: SETTINGS.gamma },
      { role: 'student', kind: 'distilled', target: batch.targets[0], teacher: 'teacher' },
    ]);
    assertTerms(reported, expected);
  });

  it('KD-STDA as the MT-MTDA code has it: the target-only adversarial term and KL(student || teacher)', () => {
    const { experiment, method, batch } = setUp({ name: 'kd-stda', studentAdversarial: 'target-only', kdDirection: 'student-to-teacher' }, ['t1']);
    const { reported, expected } = stepAgainstPlan(method, experiment, batch, [
      { role: 'teacher', kind: 'supervised', target: batch.targets[0], scale: 1 - SCHEDULE.beta, udaWeight: SETTINGS.gamma },
      { role: 'student', kind: 'distilled', target: batch.targets[0], teacher: 'teacher' },
    ]);
    assertTerms(reported, expected);
  });

  it('KD-MTDA: KD-STDA’s terms with one teacher, on the blended target batch', () => {
    const { experiment, method, batch } = setUp({ name: 'kd-mtda' }, ['t1', 't2']);
    const blended = images(blendedValues);
    const { reported, expected } = stepAgainstPlan(method, experiment, batch, [
      { role: 'teacher', kind: 'supervised', target: blended, scale: 1 - SCHEDULE.beta, udaWeight: SETTINGS.gamma },
      { role: 'student', kind: 'distilled', target: blended, teacher: 'teacher' },
    ]);
    assertTerms(reported, expected);
  });

  it('MT-MTDA: a round per target in order, teacher i on target i, then the student from teacher i alone, its terms named per round', () => {
    const { experiment, method, batch } = setUp({ name: 'mt-mtda' }, ['t1', 't2']);
    const round = (target: string, i: number): PlannedStep[] => [
      { role: `teacher-${target}`, kind: 'supervised', target: batch.targets[i], scale: 1 - SCHEDULE.beta, udaWeight: SETTINGS.gamma },
      { role: 'student', kind: 'distilled', target: batch.targets[i], teacher: `teacher-${target}`, name: (term) => `student.${term}@${target}` },
    ];
    const { reported, expected } = stepAgainstPlan(method, experiment, batch, [...round('t1', 0), ...round('t2', 1)]);
    assertTerms(reported, expected);
  });
});
