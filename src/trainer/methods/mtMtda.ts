import type { Method, MethodSetup } from './method';
import { newLearner } from './method';
import { distillingStudent, teacherThenStudent } from './distillFromTeachers';

/**
 * MT-MTDA (Nguyen-Meidine et al., WACV 2021): one teacher per target, each adapted to its own
 * target; every iteration the targets take turns in a fixed order, teacher i stepping on
 * (source, target i) and then the student distilling from teacher i alone. The student never
 * sees an average of teachers, which keeps each target's specificity.
 */
export function createMtMtda(setup: MethodSetup): Method {
  const { experiment } = setup;
  const withDiscriminator = experiment.method.udaLoss === 'dann';
  const teachers = setup.targets.map((target) => newLearner(setup, `teacher-${target}`, experiment.teacher, experiment.optimizer.teacherLr, withDiscriminator));
  const { student, features } = distillingStudent(setup, teachers[0]);
  return {
    learners: [...teachers, student],
    readsTargets: true,
    weighsByBeta: true,
    step: (batch, context) => {
      const losses: Record<string, number> = {};
      teachers.forEach((teacher, i) => {
        for (const [name, value] of Object.entries(teacherThenStudent(teacher, student, batch, batch.targets[i], context, features))) {
          // The student steps once per target: report its losses per round.
          losses[name.startsWith('student.') ? `${name}@${setup.targets[i]}` : name] = value;
        }
      });
      return losses;
    },
  };
}
