import * as tf from '@tensorflow/tfjs-core';
import type { Method, MethodSetup } from './method';
import { newLearner, prefixed } from './method';
import { blendTargets, supervisedAdaptationStep } from '../training/steps';

/**
 * DANN on one model (the usual UDA baseline): source cross-entropy plus the domain-adversarial
 * loss through gradient reversal (or MMD). Several targets are blended into one target batch (the
 * "blending" baseline). With `method.model: "student"` it is the student adapted directly, the
 * baseline distillation has to beat.
 */
export function createDann(setup: MethodSetup): Method {
  const { experiment } = setup;
  const role = experiment.method.model;
  const learner = newLearner(
    setup,
    role,
    experiment[role],
    role === 'teacher' ? experiment.optimizer.teacherLr : experiment.optimizer.studentLr,
    experiment.method.udaLoss === 'dann',
  );
  return {
    learners: [learner],
    readsTargets: true,
    step: (batch, context) => {
      const target = blendTargets(batch.targets);
      try {
        return prefixed(
          role,
          supervisedAdaptationStep(learner, { source: batch.source, labels: batch.labels, target }, context, { scale: 1, udaWeight: 1 }).losses,
        );
      } finally {
        tf.dispose(target);
      }
    },
  };
}
