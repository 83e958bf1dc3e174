import * as tf from '@tensorflow/tfjs-core';
import { createFeatureDistillation, type FeatureDistillation } from '../training/featureDistillation';
import type { Learner } from '../training/learner';
import { distillationStep, supervisedAdaptationStep, type StepBatch, type StepContext } from '../training/steps';
import { newLearner, prefixed, type MethodSetup } from './method';

/**
 * The student of a distilling method, with the feature distillation kd.features asks for toward
 * `teacher` (every teacher of MT-MTDA has the same architecture, so its layers pair alike).
 */
export function distillingStudent(setup: MethodSetup, teacher: Learner): { student: Learner; features?: FeatureDistillation } {
  const { experiment } = setup;
  let features: FeatureDistillation | undefined;
  const student = newLearner(setup, 'student', experiment.student, experiment.optimizer.studentLr, true, (net, seed) => {
    features = createFeatureDistillation(experiment.kd?.features, experiment, { teacher: teacher.net, student: net }, seed);
    return features?.extras ?? {};
  });
  return { student, features };
}

/**
 * One round of joint adaptation and distillation against one teacher, on (source, target):
 * the teacher takes its step `(1 - beta) (CE + gamma L_uda)`, then the student takes its step
 * distilling from the logits (and, with kd.features, the maps) the teacher produced on this very batch.
 */
export function teacherThenStudent(
  teacher: Learner,
  student: Learner,
  batch: StepBatch,
  target: tf.Tensor4D,
  context: StepContext,
  features?: FeatureDistillation,
): Record<string, number> {
  const { beta } = context.schedule;
  const pair = { source: batch.source, labels: batch.labels, target };
  const taught = supervisedAdaptationStep(
    teacher,
    pair,
    context,
    { scale: 1 - beta, udaWeight: context.experiment.method.gamma },
    {
      mapsAt: features?.teacherLayers ?? [],
    },
  );
  const outputs = taught.outputs!;
  try {
    return { ...prefixed(teacher.role, taught.losses), ...prefixed(student.role, distillationStep(student, pair, outputs, context, features)) };
  } finally {
    tf.dispose([outputs.source, outputs.target, ...(outputs.maps ?? [])]);
  }
}
