import * as tf from '@tensorflow/tfjs-core';
import type { Learner } from '../training/learner';
import { distillationStep, supervisedAdaptationStep, type StepBatch, type StepContext } from '../training/steps';
import { prefixed } from './method';

/**
 * One round of joint adaptation and distillation against one teacher, on (source, target):
 * the teacher takes its step `(1 - beta) (CE + gamma L_uda)`, then the student takes its step
 * distilling from the logits the teacher produced on this very batch.
 */
export function teacherThenStudent(teacher: Learner, student: Learner, batch: StepBatch, target: tf.Tensor4D, context: StepContext): Record<string, number> {
  const { beta } = context.schedule;
  const pair = { source: batch.source, labels: batch.labels, target };
  const taught = supervisedAdaptationStep(teacher, pair, context, { scale: 1 - beta, udaWeight: context.experiment.method.gamma }, true);
  const outputs = taught.outputs!;
  try {
    return { ...prefixed(teacher.role, taught.losses), ...prefixed(student.role, distillationStep(student, pair, outputs, context)) };
  } finally {
    tf.dispose([outputs.source, outputs.target]);
  }
}
