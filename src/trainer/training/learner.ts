import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { SplitClassifier } from '../models/buildModel';
import { trainableVariables } from './nets';
import { weightDecayPenalty } from './optimizer';

/**
 * One trained network with everything that trains with it: its own domain discriminator, if the
 * method gives it one, and its own optimiser, which holds exactly this learner's variables (the
 * public KD-STDA code let both optimisers hold both networks, so KD moved the teacher).
 */
export interface Learner {
  /** `model`, `teacher`, `teacher-<target>` or `student`: names checkpoints, events and results. */
  role: string;
  net: SplitClassifier;
  discriminator?: LayersModel;
  /**
   * Other models trained with this learner and saved in its checkpoints, by a file-safe name (say,
   * the adapters that match its feature maps to a teacher's): restored on resume, never deployed,
   * so no part of the model's cost.
   */
  extras: Record<string, LayersModel>;
  optimizer: tf.Optimizer;
  /** The learning rate before annealing. */
  baseLearningRate: number;
  variables: tf.Variable[];
  /** The variables each weight-decay rate applies to: the net's, and the discriminator's (its shape may set its own). */
  decay: { variables: tf.Variable[]; rate: number }[];
}

export function createLearner(
  role: string,
  net: SplitClassifier,
  optimizer: tf.Optimizer,
  baseLearningRate: number,
  weightDecay: { net: number; discriminator: number },
  discriminator?: LayersModel,
  extras: Record<string, LayersModel> = {},
): Learner {
  const decay = [{ variables: trainableVariables(net.trunk, net.head, ...Object.values(extras)), rate: weightDecay.net }];
  if (discriminator) decay.push({ variables: trainableVariables(discriminator), rate: weightDecay.discriminator });
  return { role, net, discriminator, extras, optimizer, baseLearningRate, decay, variables: decay.flatMap((group) => group.variables) };
}

/** A loss that is not a finite number: training stops and names the term. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly role: string,
    readonly term: string,
    readonly value: number,
  ) {
    super(`the ${role}'s loss term "${term}" is ${value}; training stopped. Lower the learning rate, or check the data.`);
  }
}

export type LossTerms = Record<string, tf.Scalar>;

/**
 * One optimiser step of a learner on the weighted sum of `terms()` plus weight decay. Gradients
 * are taken over the learner's variables only, and checked before they are applied: a NaN or
 * infinite term throws NonFiniteLossError and leaves the weights untouched. Returns each term's
 * value, and whatever `terms` chose to keep (say, logits another learner needs) via `keep`.
 */
export function takeStep(learner: Learner, terms: () => LossTerms): Record<string, number> {
  let kept: LossTerms = {};
  const { value, grads } = tf.variableGrads(() => {
    const parts = terms();
    kept = Object.fromEntries(Object.entries(parts).map(([name, term]) => [name, tf.keep(term)]));
    return tf.addN<tf.Scalar>([...Object.values(parts), ...learner.decay.flatMap((group) => weightDecayPenalty(group.variables, group.rate) ?? [])]);
  }, learner.variables);
  const values = Object.fromEntries(Object.entries(kept).map(([name, term]) => [name, term.dataSync()[0]]));
  tf.dispose([value, ...Object.values(kept)]);
  const bad = Object.entries(values).find(([, v]) => !Number.isFinite(v));
  if (bad) {
    tf.dispose(Object.values(grads));
    throw new NonFiniteLossError(learner.role, bad[0], bad[1]);
  }
  learner.optimizer.applyGradients(grads);
  tf.dispose(Object.values(grads));
  return values;
}
