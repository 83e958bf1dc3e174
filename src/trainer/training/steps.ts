import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Experiment } from '../../experiment/experiment';
import { crossEntropy } from '../losses/crossEntropy';
import { distillationLoss, labelledDistillationLoss } from '../losses/distillation';
import { domainAdversarialLoss, targetAdversarialLoss } from '../losses/domainAdversarial';
import { reverseGradient } from '../losses/gradientReversal';
import { multiKernelMmd } from '../losses/mmd';
import type { FeatureDistillation } from './featureDistillation';
import { jointFeaturesAndMaps } from './featureTaps';
import { takeStep, type Learner, type LossTerms } from './learner';

/** One step's images: a labelled source batch and one unlabelled batch per target. */
export interface StepBatch {
  source: tf.Tensor4D;
  labels: tf.Tensor1D;
  targets: tf.Tensor4D[];
}

/** What changes over training: the epoch's beta and the gradient-reversal weight of this step. */
export interface StepSchedule {
  beta: number;
  delta: number;
}

export interface StepContext {
  experiment: Experiment;
  schedule: StepSchedule;
}

/** A teacher's outputs on the batch it just trained on, held as constants for the student. */
export interface TeacherOutputs {
  source: tf.Tensor2D;
  target: tf.Tensor2D;
  /** The maps feature distillation reads (source images first, then target), when it is on. */
  maps?: tf.Tensor4D[];
}

/**
 * Source and target adaptation features from one training-mode pass through the trunk. Batch
 * norm's moving statistics, which evaluation uses, then track exactly the statistics the network
 * trained under: with a pass per domain, each domain trained normalised by its own batch's
 * statistics while the moving averages blended both, so at evaluation neither domain was
 * normalised as in training.
 */
export function jointFeatures(learner: Learner, source: tf.Tensor4D, target: tf.Tensor4D): [tf.Tensor2D, tf.Tensor2D] {
  const features = learner.net.trunk.apply(tf.concat([source, target]), { training: true }) as tf.Tensor2D;
  const ns = source.shape[0];
  return [tf.slice(features, [0, 0], [ns, -1]), tf.slice(features, [ns, 0], [-1, -1])];
}

/**
 * The unsupervised adaptation loss between source and target features: DANN (gradient reversal
 * into the learner's discriminator, both domains through one pass of its batch norm) or multi-kernel MMD.
 */
export function adaptationLoss(learner: Learner, sourceFeatures: tf.Tensor2D, targetFeatures: tf.Tensor2D, kind: 'dann' | 'mmd', delta: number): tf.Scalar {
  if (kind === 'mmd') return multiKernelMmd(sourceFeatures, targetFeatures);
  if (!learner.discriminator) throw new Error(`the ${learner.role} has no domain discriminator`);
  return discriminatorLoss(learner.discriminator, sourceFeatures, targetFeatures, delta);
}

/** DANN's term through gradient reversal into `discriminator`, both domains through one pass of its batch norm. */
export function discriminatorLoss(discriminator: LayersModel, sourceFeatures: tf.Tensor2D, targetFeatures: tf.Tensor2D, delta: number): tf.Scalar {
  const both = reverseGradient(tf.concat([sourceFeatures, targetFeatures]), delta);
  const logits = discriminator.apply(both, { training: true }) as tf.Tensor2D;
  const ns = sourceFeatures.shape[0];
  return domainAdversarialLoss(tf.slice(logits, [0, 0], [ns, 1]), tf.slice(logits, [ns, 0], [-1, 1]));
}

/**
 * Several targets' batches blended into one batch of the same size, an equal share from each: the
 * images that do not divide evenly go one each to the first targets, so no target is left out
 * (4 images from 3 targets: 2, 1, 1).
 */
export function blendTargets(targets: readonly tf.Tensor4D[]): tf.Tensor4D {
  if (targets.length === 1) return tf.clone(targets[0]);
  const size = targets[0].shape[0];
  const share = Math.floor(size / targets.length);
  const extra = size % targets.length;
  return tf.tidy(() => tf.concat<tf.Tensor4D>(targets.map((batch, index) => tf.slice(batch, 0, share + (index < extra ? 1 : 0)))));
}

/**
 * Supervised source loss plus, weighted by `udaWeight`, adaptation to one target, all scaled by
 * `scale`: DANN on one model (scale 1, weight 1) and the teacher's step of the KD methods
 * (`(1 - beta) * (CE + gamma * L_uda)`). Returns the losses and, when asked, the teacher's logits
 * (and the maps at `keepOutputs.mapsAt`) for the student.
 */
export function supervisedAdaptationStep(
  learner: Learner,
  batch: { source: tf.Tensor4D; labels: tf.Tensor1D; target?: tf.Tensor4D },
  context: StepContext,
  weights: { scale: number; udaWeight: number },
  keepOutputs?: { mapsAt: readonly string[] },
): { losses: Record<string, number>; outputs?: TeacherOutputs } {
  const { experiment, schedule } = context;
  let outputs: TeacherOutputs | undefined;
  const losses = takeStep(learner, () => {
    let maps: tf.Tensor4D[] | undefined;
    let sourceFeatures: tf.Tensor2D;
    let targetFeatures: tf.Tensor2D | undefined;
    if (batch.target && keepOutputs?.mapsAt.length) {
      ({ sourceFeatures, targetFeatures, maps } = jointFeaturesAndMaps(learner.net, batch.source, batch.target, keepOutputs.mapsAt));
    } else {
      [sourceFeatures, targetFeatures] = batch.target
        ? jointFeatures(learner, batch.source, batch.target)
        : [learner.net.trunk.apply(batch.source, { training: true }) as tf.Tensor2D, undefined];
    }
    const sourceLogits = learner.net.head.apply(sourceFeatures, { training: true }) as tf.Tensor2D;
    const terms: LossTerms = { ce: tf.mul<tf.Scalar>(crossEntropy(sourceLogits, batch.labels), weights.scale) };
    if (targetFeatures) {
      const uda = adaptationLoss(learner, sourceFeatures, targetFeatures, experiment.method.udaLoss, schedule.delta);
      terms[experiment.method.udaLoss] = tf.mul<tf.Scalar>(uda, weights.scale * weights.udaWeight);
      if (keepOutputs) {
        const targetLogits = learner.net.head.apply(targetFeatures, { training: true }) as tf.Tensor2D;
        outputs = { source: tf.keep(sourceLogits), target: tf.keep(targetLogits), ...(maps ? { maps: maps.map((map) => tf.keep(map)) } : {}) };
      }
    }
    return terms;
  });
  return { losses, outputs };
}

/**
 * The student's step against one teacher (KD-STDA, and each round of MT-MTDA):
 * `beta * (alpha KD(z_t, z_s) + (1 - alpha) CE(z_s, y)  +  KD(z_t, z_s) on the target)`
 * `+ alpha * L_adv(student)`, plus, with kd.features, the feature term from `features`. L_adv is the usual two-domain DANN term on source and target
 * features, or (`studentAdversarial: "target-only"`) BCE on target samples labelled 0 alone, as
 * the MT-MTDA code has it: a discriminator can satisfy that with its bias, so its gradient carries
 * little alignment. The teacher's logits are constants computed before this step.
 */
export function distillationStep(
  student: Learner,
  batch: { source: tf.Tensor4D; labels: tf.Tensor1D; target: tf.Tensor4D },
  teacher: TeacherOutputs,
  context: StepContext,
  features?: FeatureDistillation,
): Record<string, number> {
  const { experiment, schedule } = context;
  const { temperature, alpha, kdDirection } = experiment.method;
  return takeStep(student, () => {
    let maps: tf.Tensor4D[] = [];
    let sourceFeatures: tf.Tensor2D;
    let targetFeatures: tf.Tensor2D;
    if (features) ({ sourceFeatures, targetFeatures, maps } = jointFeaturesAndMaps(student.net, batch.source, batch.target, features.studentLayers));
    else [sourceFeatures, targetFeatures] = jointFeatures(student, batch.source, batch.target);
    const sourceLogits = student.net.head.apply(sourceFeatures, { training: true }) as tf.Tensor2D;
    const targetLogits = student.net.head.apply(targetFeatures, { training: true }) as tf.Tensor2D;
    const terms: LossTerms = {
      sourceKd: tf.mul<tf.Scalar>(labelledDistillationLoss(teacher.source, sourceLogits, batch.labels, temperature, alpha, kdDirection), schedule.beta),
      targetKd: tf.mul<tf.Scalar>(distillationLoss(teacher.target, targetLogits, temperature, kdDirection), schedule.beta),
    };
    if (student.discriminator)
      terms.adversarial = tf.mul<tf.Scalar>(
        studentAdversarialLoss(student, sourceFeatures, targetFeatures, experiment.method.studentAdversarial, schedule.delta),
        alpha,
      );
    if (features) {
      if (!teacher.maps) throw new Error("the teacher's step kept no feature maps for the student's feature distillation");
      terms[features.term] = features.loss(maps, teacher.maps, schedule.beta);
    }
    return terms;
  });
}

/** The student's adversarial term through gradient reversal: see distillationStep. */
export function studentAdversarialLoss(
  student: Learner,
  sourceFeatures: tf.Tensor2D,
  targetFeatures: tf.Tensor2D,
  kind: Experiment['method']['studentAdversarial'],
  delta: number,
): tf.Scalar {
  if (kind === 'two-domain') return adaptationLoss(student, sourceFeatures, targetFeatures, 'dann', delta);
  const reversed = reverseGradient(targetFeatures, delta);
  return targetAdversarialLoss(student.discriminator!.apply(reversed, { training: true }) as tf.Tensor);
}
