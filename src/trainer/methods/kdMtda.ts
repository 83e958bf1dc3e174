import * as tf from '@tensorflow/tfjs-core';
import type { Method, MethodSetup } from './method';
import { newLearner } from './method';
import { distillingStudent, teacherThenStudent } from './distillFromTeachers';
import { blendTargets } from '../training/steps';

/**
 * KD-MTDA by blending: one teacher adapted to the union of all targets and distilled as in
 * KD-STDA, each step's target batch drawn in equal shares from every target.
 */
export function createKdMtda(setup: MethodSetup): Method {
  const { experiment } = setup;
  const teacher = newLearner(setup, 'teacher', experiment.teacher, experiment.optimizer.teacherLr, experiment.method.udaLoss === 'dann');
  const { student, features } = distillingStudent(setup, teacher);
  return {
    learners: [teacher, student],
    readsTargets: true,
    weighsByBeta: true,
    step: (batch, context) => {
      const target = blendTargets(batch.targets);
      try {
        return teacherThenStudent(teacher, student, batch, target, context, features);
      } finally {
        tf.dispose(target);
      }
    },
  };
}
