import type { Method, MethodSetup } from './method';
import { newLearner } from './method';
import { distillingStudent, teacherThenStudent } from './distillFromTeachers';

/**
 * KD-STDA (Nguyen-Meidine et al., IJCNN 2020): a teacher adapted to the one target and a student
 * distilled from it, trained jointly; beta hands the weight from the teacher's adaptation to the
 * student's distillation as epochs pass.
 */
export function createKdStda(setup: MethodSetup): Method {
  const { experiment } = setup;
  const withDiscriminator = experiment.method.udaLoss === 'dann';
  const teacher = newLearner(setup, 'teacher', experiment.teacher, experiment.optimizer.teacherLr, withDiscriminator);
  const { student, features } = distillingStudent(setup, teacher);
  return {
    learners: [teacher, student],
    readsTargets: true,
    weighsByBeta: true,
    step: (batch, context) => teacherThenStudent(teacher, student, batch, batch.targets[0], context, features),
  };
}
