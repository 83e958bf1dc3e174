import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy } from './crossEntropy';

export type DistillationDirection = 'teacher-to-student' | 'student-to-teacher';

/** KL(p || q) per row, from log-probabilities, averaged over the batch. */
function meanKl(logP: tf.Tensor2D, logQ: tf.Tensor2D): tf.Scalar {
  return tf.mean<tf.Scalar>(tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), 1));
}

/**
 * Knowledge distillation with temperature T: `T^2 * KL(softmax(z_t/T) || softmax(z_s/T))`, batch
 * mean (Hinton; the T^2 keeps gradient magnitudes comparable across temperatures). The
 * `student-to-teacher` direction, KL(student || teacher), is what the public MT-MTDA code computes
 * because of the argument order of PyTorch's kl_div; it is offered for reproducing that code.
 * Callers compute the teacher's logits outside the student's gradient tape, so they act as
 * constants: only the student learns from this loss (the public KD-STDA code let KD move the
 * teacher too).
 */
export function distillationLoss(
  teacherLogits: tf.Tensor2D,
  studentLogits: tf.Tensor2D,
  temperature: number,
  direction: DistillationDirection = 'teacher-to-student',
): tf.Scalar {
  return tf.tidy(() => {
    const teacher = tf.logSoftmax(tf.div(teacherLogits, temperature)) as tf.Tensor2D;
    const student = tf.logSoftmax(tf.div(studentLogits, temperature)) as tf.Tensor2D;
    const kl = direction === 'teacher-to-student' ? meanKl(teacher, student) : meanKl(student, teacher);
    return tf.mul<tf.Scalar>(kl, temperature * temperature);
  });
}

/** Source-domain distillation with labels: `alpha * KD(z_t, z_s) + (1 - alpha) * CE(z_s, y)`. */
export function labelledDistillationLoss(
  teacherLogits: tf.Tensor2D,
  studentLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  temperature: number,
  alpha: number,
  direction: DistillationDirection = 'teacher-to-student',
): tf.Scalar {
  return tf.tidy(() =>
    tf.add<tf.Scalar>(
      tf.mul(distillationLoss(teacherLogits, studentLogits, temperature, direction), alpha),
      tf.mul(crossEntropy(studentLogits, labels), 1 - alpha),
    ),
  );
}
