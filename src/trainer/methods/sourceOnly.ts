import type { Method, MethodSetup } from './method';
import { newLearner, prefixed } from './method';
import { supervisedAdaptationStep } from '../training/steps';

/** Source-only (the lower bound): cross-entropy on labelled source images, nothing else. */
export function createSourceOnly(setup: MethodSetup): Method {
  const { experiment } = setup;
  const role = experiment.method.model;
  const learner = newLearner(setup, role, experiment[role], role === 'teacher' ? experiment.optimizer.teacherLr : experiment.optimizer.studentLr, false);
  return {
    learners: [learner],
    readsTargets: false,
    step: (batch, context) => prefixed(role, supervisedAdaptationStep(learner, batch, context, { scale: 1, udaWeight: 0 }).losses),
  };
}
