import { resolveDiscriminator } from '../../experiment/discriminatorPresets';
import type { Experiment, ModelSpec } from '../../experiment/experiment';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { SplitClassifier } from '../models/buildModel';
import type { SavedBackbone } from '../models/savedBackbone';
import { buildDiscriminator } from '../training/discriminator';
import { createLearner, type Learner } from '../training/learner';
import type { ModelView } from '../training/modelView';
import { buildNet, withSeededMathRandom, type NetShape } from '../training/nets';
import { createOptimizer } from '../training/optimizer';
import type { StepBatch, StepContext } from '../training/steps';

/** A training method: the learners it trains and what one iteration does with a batch. */
export interface Method {
  learners: Learner[];
  /** Whether `step` reads the target batches; the loader decodes none for a method that does not. */
  readsTargets: boolean;
  /** Whether the epoch's beta weighs its terms: the run's epoch events record beta only then. */
  weighsByBeta?: boolean;
  /** One iteration; losses keyed `<role>.<term>`. */
  step(batch: StepBatch, context: StepContext): Record<string, number>;
  /** Models evaluated, checkpointed and costed beside the learners' nets, trained through a learner (online-kd's branches and aggregate). */
  views?: ModelView[];
}

export interface MethodSetup {
  experiment: Experiment;
  shape: NetShape;
  /** Target domain names, in the experiment's order. */
  targets: readonly string[];
  /** The loaded model of each `saved` model spec (keyed by the spec itself, experiment.teacher or .student). */
  backbones?: ReadonlyMap<ModelSpec, SavedBackbone>;
}

/** A learner's seed, from the experiment's and its role. */
export function learnerSeed(setup: MethodSetup, role: string): number {
  return (setup.experiment.seed * 1000003 + [...role].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 7)) >>> 0;
}

/**
 * Builds one learner; each gets its own seed so that, say, two teachers do not start identical.
 * `extrasFor` builds the other models it trains (see Learner.extras) once its net exists.
 */
export function newLearner(
  setup: MethodSetup,
  role: string,
  spec: ModelSpec,
  baseLearningRate: number,
  withDiscriminator: boolean,
  extrasFor?: (net: SplitClassifier, seed: number) => Record<string, LayersModel>,
): Learner {
  const { experiment } = setup;
  const seed = learnerSeed(setup, role);
  const net = buildNet(spec, setup.shape, seed, setup.backbones?.get(spec));
  const shape = resolveDiscriminator(experiment.method.discriminator, experiment.method.discriminatorHidden, spec.architecture);
  const discriminator = withDiscriminator
    ? withSeededMathRandom(seed + 1, () => buildDiscriminator(net.adaptationSize, shape, `${role}_discriminator`))
    : undefined;
  const weightDecay = { net: experiment.optimizer.weightDecay, discriminator: shape.weightDecay ?? experiment.optimizer.weightDecay };
  const extras = extrasFor?.(net, seed + 2) ?? {};
  return createLearner(role, net, createOptimizer(experiment.optimizer, baseLearningRate), baseLearningRate, weightDecay, discriminator, extras);
}

export function prefixed(role: string, losses: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(losses).map(([term, value]) => [`${role}.${term}`, value]));
}
