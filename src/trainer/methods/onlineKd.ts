import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { defaultBranchPoint } from '../../experiment/branchPoints';
import { resolveDiscriminator } from '../../experiment/discriminatorPresets';
import { deriveSeed } from '../data/seededRandom';
import { crossEntropy } from '../losses/crossEntropy';
import { multiKernelMmd } from '../losses/mmd';
import { aggregateLogits, ensembleDistillationLoss } from '../losses/onlineDistillation';
import { buildAggregate, buildGate } from '../models/branchEnsemble';
import { branchNet, branchPointLayer, type BranchedNet } from '../models/branchedNet';
import type { SplitClassifier } from '../models/modelTypes';
import { buildDiscriminator } from '../training/discriminator';
import { takeStep, type Learner, type LossTerms } from '../training/learner';
import type { ModelView } from '../training/modelView';
import { buildNet, trainableVariables, withSeededMathRandom } from '../training/nets';
import { createOptimizer } from '../training/optimizer';
import { blendTargets, discriminatorLoss, type StepBatch, type StepContext } from '../training/steps';
import { learnerSeed, type Method, type MethodSetup } from './method';

/** The role of branch `branch` (1-based): names its checkpoints, losses and results. */
export function branchRole(branch: number): string {
  return `branch-${branch}`;
}
export const AGGREGATE_ROLE = 'aggregate';

/** Everything one online-kd step trains: the branched student, its gate and one discriminator per branch (DANN). */
interface OnlineNet {
  branched: BranchedNet;
  gate: tfl.LayersModel;
  discriminators: tfl.LayersModel[];
}

/**
 * Online distillation (ONE, Lan et al. 2018) with unsupervised adaptation, in one stage and with no
 * pretrained teacher: the student is built as K branches over a shared trunk, their gated
 * aggregate teaches every branch, and every branch adapts to the (blended) targets through its own
 * discriminator (or MMD). The experiment's teacher is not used. One learner, `branch-1`, holds
 * and trains every variable with one optimiser: its net is branch 1 (shared layers + branch 1,
 * deployable alone), its extras the other branches' own layers, the gate and the other
 * discriminators. The other branches and the aggregate are views: evaluated, checkpointed and
 * costed as their own models. See the README's "Online distillation" for the equations.
 */
export function createOnlineKd(setup: MethodSetup): Method {
  const { experiment, shape } = setup;
  const spec = experiment.student;
  if (spec.architecture === 'saved') throw new Error('online-kd cannot branch a saved model: give the student a named architecture');
  const count = experiment.method.branches!;
  const role = branchRole(1);
  const seed = learnerSeed(setup, role);
  const net = buildNet(spec, shape, seed);
  const branchAt = branchPointLayer(net, experiment.method.branchAt ?? defaultBranchPoint(spec.architecture));
  const branched = branchNet(net, branchAt, count, (branch, build) => withSeededMathRandom(deriveSeed(seed, 'branch', branch), build));
  const gate = withSeededMathRandom(deriveSeed(seed, 'gate'), () => buildGate(branched.shared.outputs[0].shape, count));
  const discriminatorShape = resolveDiscriminator(experiment.method.discriminator, experiment.method.discriminatorHidden, spec.architecture);
  const discriminators =
    experiment.method.udaLoss === 'dann'
      ? branched.branches.map((branch, index) =>
          withSeededMathRandom(deriveSeed(seed, 'discriminator', index + 1), () =>
            buildDiscriminator(branch.adaptationSize, discriminatorShape, `branch_${index + 1}_discriminator`),
          ),
        )
      : [];
  const online: OnlineNet = { branched, gate, discriminators };
  const learner = onlineLearner(setup, online, discriminatorShape.weightDecay);
  const views: ModelView[] = [
    ...branched.branches.slice(1).map((branch, index) => branchView(branch, index + 2)),
    {
      role: AGGREGATE_ROLE,
      model: buildAggregate(branched, gate, shape.classes, AGGREGATE_ROLE),
      architecture: `${net.name}, ${count} branches after ${branchAt}, gated`,
      // What is common to every branch: representations of the aggregate are compared there.
      adaptAt: branchAt,
      adaptationSize: (branched.shared.outputs[0].shape.slice(1) as number[]).reduce((product, size) => product * size, 1),
    },
  ];
  return {
    learners: [learner],
    readsTargets: true,
    views,
    step: (batch, context) => onlineStep(learner, online, batch, context),
  };
}

/**
 * The one learner: every variable once, under one optimiser; weight decay as for any learner (the
 * discriminators' at their shape's rate). Branches 2..K's own layers, the gate and discriminators
 * 2..K are its extras, saved in and restored from its checkpoints.
 */
function onlineLearner(setup: MethodSetup, online: OnlineNet, discriminatorDecay: number | undefined): Learner {
  const { experiment } = setup;
  const { branched, gate, discriminators } = online;
  const [net] = branched.branches;
  const extras: Record<string, tfl.LayersModel> = { gate };
  branched.branches.forEach((branch, index) => {
    if (index === 0) return;
    const own = branched.ownTrunks[index];
    extras[branchRole(index + 1)] = tfl.model({
      inputs: own.inputs,
      outputs: branch.head.apply(own.outputs[0]) as tfl.SymbolicTensor,
      name: `branch_${index + 1}_own`,
    });
    if (discriminators[index]) extras[`${branchRole(index + 1)}-discriminator`] = discriminators[index];
  });
  const decay = [
    {
      variables: trainableVariables(net.trunk, net.head, ...Object.values(extras).filter((model) => !discriminators.includes(model))),
      rate: experiment.optimizer.weightDecay,
    },
  ];
  if (discriminators.length) decay.push({ variables: trainableVariables(...discriminators), rate: discriminatorDecay ?? experiment.optimizer.weightDecay });
  const rate = experiment.optimizer.studentLr;
  return {
    role: branchRole(1),
    net,
    discriminator: discriminators[0],
    extras,
    optimizer: createOptimizer(experiment.optimizer, rate),
    baseLearningRate: rate,
    decay,
    variables: decay.flatMap((group) => group.variables),
  };
}

/** Branch `branch` (2..K) as a model of its own: the shared layers and its own, image -> logits. */
function branchView(branch: SplitClassifier, index: number): ModelView {
  const logits = branch.head.apply(branch.trunk.outputs[0]) as tfl.SymbolicTensor;
  return {
    role: branchRole(index),
    model: tfl.model({ inputs: branch.trunk.inputs, outputs: logits, name: `branch_${index}` }),
    architecture: branch.name,
    adaptAt: branch.adaptAt,
    adaptationSize: branch.adaptationSize,
  };
}

/**
 * One step on a source batch and the targets blended into one batch: source and target through one
 * training-mode pass of the shared layers; per branch i its adaptation features f_i and logits
 * z_i; the gate's weights g and the aggregate z_e = sum_i g_i z_i. Losses keyed `<role>.<term>`:
 * `branch-i.ce` CE(z_i, y) and `aggregate.ce` CE(z_e, y) on the source; `branch-i.sourceKd` and
 * `branch-i.targetKd` T^2 KL(softmax(z_e/T) || softmax(z_i/T)) with z_e constant; `branch-i.dann`
 * (or `.mmd`) gamma times the branch's UDA loss on f_i. All in one optimiser step.
 */
function onlineStep(learner: Learner, online: OnlineNet, batch: StepBatch, context: StepContext): Record<string, number> {
  const { temperature, gamma, udaLoss } = context.experiment.method;
  const { branched, gate, discriminators } = online;
  const target = blendTargets(batch.targets);
  const ns = batch.source.shape[0];
  const sourceRows = (x: tf.Tensor2D) => tf.slice(x, [0, 0], [ns, -1]);
  const targetRows = (x: tf.Tensor2D) => tf.slice(x, [ns, 0], [-1, -1]);
  try {
    return takeStep(learner, () => {
      const shared = branched.shared.apply(tf.concat([batch.source, target]), { training: true }) as tf.Tensor;
      const features = branched.ownTrunks.map((own) => own.apply(shared, { training: true }) as tf.Tensor2D);
      const logits = features.map((f, index) => branched.branches[index].head.apply(f, { training: true }) as tf.Tensor2D);
      const ensemble = aggregateLogits(gate.apply(shared, { training: true }) as tf.Tensor2D, logits);
      const terms: LossTerms = { [`${AGGREGATE_ROLE}.ce`]: crossEntropy(sourceRows(ensemble), batch.labels) };
      logits.forEach((z, index) => {
        const role = branchRole(index + 1);
        const [sourceFeatures, targetFeatures] = [sourceRows(features[index]), targetRows(features[index])];
        const uda =
          udaLoss === 'mmd'
            ? multiKernelMmd(sourceFeatures, targetFeatures)
            : discriminatorLoss(discriminators[index], sourceFeatures, targetFeatures, context.schedule.delta);
        terms[`${role}.ce`] = crossEntropy(sourceRows(z), batch.labels);
        terms[`${role}.sourceKd`] = ensembleDistillationLoss(sourceRows(ensemble), sourceRows(z), temperature);
        terms[`${role}.targetKd`] = ensembleDistillationLoss(targetRows(ensemble), targetRows(z), temperature);
        terms[`${role}.${udaLoss}`] = tf.mul<tf.Scalar>(uda, gamma);
      });
      return terms;
    });
  } finally {
    tf.dispose(target);
  }
}
