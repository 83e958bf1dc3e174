import * as tf from '@tensorflow/tfjs-core';

/** F.normalize's floor: an all-zero map stays zero instead of dividing by zero. */
const NORM_FLOOR = 1e-12;

/**
 * A teacher's map at the student map's height and width, unchanged when they agree: bilinear with
 * half-pixel centres, so that halving a size averages each 2x2 block rather than keeping every
 * other pixel.
 */
function atStudentSize(teacher: tf.Tensor4D, student: tf.Tensor4D): tf.Tensor4D {
  const [, height, width] = student.shape;
  if (teacher.shape[1] === height && teacher.shape[2] === width) return teacher;
  return tf.image.resizeBilinear(teacher, [height, width], false, true);
}

/** Mean over channels of the squared activations: where a [batch, h, w, c] map is active, as [batch, h, w, 1]. */
function activationEnergy(activation: tf.Tensor4D): tf.Tensor4D {
  return tf.mean<tf.Tensor4D>(tf.square(activation), 3, true);
}

/** An energy map flattened to [batch, h*w] and L2-normalised per image. */
function normalisedMap(energy: tf.Tensor4D): tf.Tensor2D {
  const [batch, height, width] = energy.shape;
  const flat = tf.reshape<tf.Rank.R2>(energy, [batch, height * width]);
  return tf.div(flat, tf.maximum(tf.norm(flat, 2, 1, true), NORM_FLOOR));
}

/**
 * Attention transfer for one pair of layers (Zagoruyko & Komodakis 2017, as their code computes
 * it): each attention map is the mean over channels of the squared activations, flattened and
 * L2-normalised per image; the loss is the mean over images and positions of the squared
 * difference of the two maps, the teacher's energy resized to the student's height and width
 * first. Channel counts need not agree.
 */
export function attentionTransferLoss(student: tf.Tensor4D, teacher: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const studentEnergy = activationEnergy(student);
    const teacherEnergy = atStudentSize(activationEnergy(teacher), student);
    return tf.mean<tf.Scalar>(tf.square(tf.sub(normalisedMap(studentEnergy), normalisedMap(teacherEnergy))));
  });
}

/**
 * FitNets' hint for one pair of layers: the mean squared difference between the student's map
 * (already through its adapter, so the channels agree) and the teacher's, resized to the
 * student's height and width.
 */
export function hintLoss(adaptedStudent: tf.Tensor4D, teacher: tf.Tensor4D): tf.Scalar {
  if (adaptedStudent.shape[3] !== teacher.shape[3]) {
    throw new Error(
      `a hint needs as many channels in the student's map (${adaptedStudent.shape[3]}) as in the teacher's (${teacher.shape[3]}): an adapter is missing`,
    );
  }
  return tf.tidy(() => tf.mean<tf.Scalar>(tf.square(tf.sub(adaptedStudent, atStudentSize(teacher, adaptedStudent)))));
}
