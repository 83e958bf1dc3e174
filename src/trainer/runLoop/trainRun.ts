import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import { DataLoader } from '../data/dataLoader';
import type { LoadedDataset } from '../data/dataset';
import type { DataProblem } from '../data/samples';
import { SkippedImages } from '../data/skippedImages';
import { deriveSeed } from '../data/seededRandom';
import type { Experiment, ModelSpec } from '../../experiment/experiment';
import { writeJsonAtomic } from '../../runFolder/atomicFile';
import { readEvents } from '../../runFolder/eventLog';
import type { LatestCheckpoint, TrainingPosition } from '../../runFolder/checkpointFiles';
import { readLatestJson } from '../../runFolder/readRunFiles';
import type { EpochScores, ModelCost } from '../../runFolder/results';
import type { EpochEvent } from '../../runFolder/runEvents';
import { RUN_FILES, SOURCE_HOLDOUT, type RunState } from '../../runFolder/runFolderFormat';
import { epochSummary } from '../../runFolder/epochSummary';
import type { BackendReport } from '../backends/backendTypes';
import { MODEL_JSON } from '../checkpoints/fileModelIO';
import { createMethod } from '../methods/createMethod';
import { loadCheckpointBackbone, loadSavedBackbone, type SavedBackbone } from '../models/savedBackbone';
import { annealedLearningRate, learningRateProgress, progressiveBeta, reversalWeight } from '../schedules';
import { evaluateModels, type DomainScore, type EvalDomain } from '../training/evaluate';
import { NonFiniteLossError, type Learner } from '../training/learner';
import { measureCost } from '../training/modelCost';
import { logitsOf, withSeededMathRandom } from '../training/nets';
import { setLearningRate } from '../training/optimizer';
import type { StepBatch } from '../training/steps';
import { buildResults, meanOver } from './buildResults';
import { CheckpointWriteError, loadNetWeights, restoreLearner, saveCheckpointSet } from './checkpointStore';
import type { RunWriter } from './runWriter';

/** Set by a signal handler: the loop finishes its step, checkpoints, and ends the run `stopped`. */
export interface StopRequest {
  requested: boolean;
}

export interface StepProgress {
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  losses: Record<string, number>;
}

export interface TrainRunOptions {
  experiment: Experiment;
  writer: RunWriter;
  backend: BackendReport;
  /** The data, read and checked before the run folder was made, and the warnings about it. */
  data: { dataset: LoadedDataset; problems: readonly DataProblem[] };
  /** Continue from the run folder's last checkpoint. */
  resume: boolean;
  stop: StopRequest;
  onStep?: (progress: StepProgress) => void;
}

/**
 * Trains an experiment into its run folder: every step's losses checked, an evaluation and a
 * checkpoint after every epoch, results.json at the end. Returns the state the run ended in (also
 * written to status.json); a NaN loss or a failed checkpoint write ends it `failed` with the
 * reason, the last good checkpoint kept.
 */
export async function trainRun(options: TrainRunOptions): Promise<RunState> {
  const { writer } = options;
  await writer.setState('running');
  await writer.event({ kind: options.resume ? 'resume' : 'start', backend: options.backend, pid: process.pid });
  try {
    return await train(options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const known = error instanceof NonFiniteLossError || error instanceof CheckpointWriteError;
    await writer.event({ kind: 'error', message, ...(error instanceof NonFiniteLossError ? { role: error.role, term: error.term } : {}) });
    await writer.log(`failed: ${message}`, known || !(error instanceof Error) ? undefined : error.stack);
    await writer.setState('failed', message);
    return 'failed';
  }
}

/** The model spec a learner role is built from: `student`, or the teacher's for `teacher` and `teacher-<target>`. */
function specOf(experiment: Experiment, role: string): ModelSpec {
  return role === 'student' ? experiment.student : experiment.teacher;
}

/**
 * The backbone of each `saved` model spec, loaded once for all the learners built from it. A
 * resumed run takes it from its own checkpoint (whose weights it restores anyway), so that it does
 * not depend on the original model file; a spec no checkpointed learner uses is not needed.
 */
async function loadSavedBackbones(experiment: Experiment, resumeFrom?: { runDir: string; latest: LatestCheckpoint }): Promise<Map<ModelSpec, SavedBackbone>> {
  const backbones = new Map<ModelSpec, SavedBackbone>();
  try {
    for (const spec of [experiment.teacher, experiment.student]) {
      if (spec.architecture !== 'saved') continue;
      if (!resumeFrom) {
        backbones.set(spec, await loadSavedBackbone(spec.path!, spec.featureLayer));
        continue;
      }
      const checkpoint = Object.entries(resumeFrom.latest.roles).find(([role]) => specOf(experiment, role) === spec)?.[1];
      if (checkpoint) backbones.set(spec, await loadCheckpointBackbone(path.join(resumeFrom.runDir, checkpoint, MODEL_JSON)));
    }
    return backbones;
  } catch (error) {
    for (const backbone of backbones.values()) backbone.dispose();
    throw error;
  }
}

/** `student: lenet5 cut after flatten (400-d adaptation features), discriminator 400-100-1`: what the UDA loss reads, in the log. */
function describeLearner(learner: Learner): string {
  const { net, discriminator } = learner;
  const widths = discriminator?.layers.flatMap((layer) => (layer.getClassName() === 'Dense' ? [(layer.getConfig() as { units: number }).units] : [])) ?? [];
  const normalised = discriminator?.layers.some((layer) => layer.getClassName() === 'BatchNormalization') ? ' with batch norm' : '';
  return `${learner.role}: ${net.name} cut after ${net.adaptAt} (${net.adaptationSize}-d adaptation features)${discriminator ? `, discriminator ${[net.adaptationSize, ...widths].join('-')}${normalised}` : ''}`;
}

async function train(options: TrainRunOptions): Promise<RunState> {
  const { experiment, writer, stop } = options;
  const { data } = experiment;
  const selection = { root: data.root, layout: data.layout, source: data.source, targets: data.targets, split: data.split, seed: experiment.seed };
  const { dataset } = options.data;
  for (const problem of options.data.problems) await writer.event({ kind: 'data-problem', ...problem });
  const skipped = new SkippedImages();
  const loader = await DataLoader.create({
    imageSize: data.imageSize,
    channels: data.channels,
    augment: data.augment,
    seed: experiment.seed,
    onProblem: (problem) => {
      skipped.note(problem);
      void writer.event({ kind: 'data-problem', ...problem });
    },
  });
  const inputShape: [number, number, number] = [data.imageSize, data.imageSize, data.channels];
  const classNames = dataset.classNames;
  const latest = options.resume ? await readLatestJson(writer.dir) : undefined;
  const backbones = await loadSavedBackbones(experiment, latest && { runDir: writer.dir, latest });
  let method;
  try {
    method = createMethod({ experiment, shape: { inputShape, classes: classNames.length }, targets: data.targets, backbones });
  } finally {
    for (const backbone of backbones.values()) backbone.dispose();
  }
  for (const learner of method.learners) await writer.log(describeLearner(learner));
  const stepsPerEpoch = experiment.stepsPerEpoch ?? Math.max(1, Math.ceil(dataset.source.train.length / experiment.batchSize));
  const totalSteps = stepsPerEpoch * experiment.epochs;

  let position: TrainingPosition = { epoch: 1, stepInEpoch: 0, globalStep: 0 };
  let history: EpochScores[] = [];
  if (latest) {
    for (const learner of method.learners) {
      const dir = latest.roles[learner.role];
      if (!dir) throw new Error(`the checkpoint has no "${learner.role}"; it does not belong to this experiment`);
      await restoreLearner(learner, path.join(writer.dir, dir));
    }
    position = { epoch: latest.epoch, stepInEpoch: latest.stepInEpoch, globalStep: latest.globalStep };
    const lastEvaluated = latest.epoch - (latest.stepInEpoch < stepsPerEpoch ? 1 : 0);
    history = (await readEvents(path.join(writer.dir, RUN_FILES.events))).events.flatMap((event) =>
      event.kind === 'eval' && event.epoch <= lastEvaluated ? [{ epoch: event.epoch, accuracy: event.accuracy, entropy: event.entropy }] : [],
    );
    await writer.log(`resuming at epoch ${position.epoch}, step ${position.stepInEpoch} of ${stepsPerEpoch}`);
  } else {
    for (const learner of method.learners) {
      const spec = specOf(experiment, learner.role);
      if (!spec.warmStart) continue;
      await loadNetWeights(learner.net, learner.role, path.resolve(spec.warmStart));
      await writer.log(`${learner.role}: warm-started from ${spec.warmStart}`);
    }
  }

  // The streams are deterministic by batch index: starting them at the checkpoint's step puts
  // every domain's sampler exactly where the interrupted run left it.
  // A method that never reads a target batch (source-only) gets none: decoding them would only cost time.
  const stream = loader.trainingSteps(method.readsTargets ? dataset : { ...dataset, targets: [] }, experiment.batchSize, position.globalStep);
  if (position.stepInEpoch >= stepsPerEpoch) position = { epoch: position.epoch + 1, stepInEpoch: 0, globalStep: position.globalStep };

  const evalDomains: EvalDomain[] = [
    ...dataset.targets.map((target) => ({ name: target.name, domain: target.name, samples: target.test })),
    { name: SOURCE_HOLDOUT, domain: dataset.source.name, samples: dataset.source.test },
  ];
  const classifiers = Object.fromEntries(method.learners.map((learner) => [learner.role, (images: tf.Tensor4D) => logitsOf(learner.net, images, false)]));
  const meta = { inputShape, classNames, data: { ...selection, targets: [...data.targets] } };
  let lastScores: Record<string, Record<string, DomainScore>> | undefined;
  let checkpointBytes: Record<string, number> = {};

  for (let epoch = position.epoch; epoch <= experiment.epochs; epoch++) {
    const beta = progressiveBeta(epoch, experiment.epochs, experiment.method.beta.start, experiment.method.beta.end);
    const sums: Record<string, number> = {};
    const firstStep = epoch === position.epoch ? position.stepInEpoch : 0;
    for (let step = firstStep; step < stepsPerEpoch; step++) {
      const next = await stream.next();
      const batch: StepBatch = {
        source: tf.tensor4d(next.source.images, next.source.shape),
        labels: tf.tensor1d(next.source.labels, 'int32'),
        targets: next.targets.map((target) => tf.tensor4d(target.images, target.shape)),
      };
      const globalStep = (epoch - 1) * stepsPerEpoch + step;
      const progress = learningRateProgress(experiment.optimizer.lrSchedule, { epoch, epochs: experiment.epochs, globalStep, totalSteps });
      for (const learner of method.learners) setLearningRate(learner.optimizer, annealedLearningRate(progress, learner.baseLearningRate));
      let losses: Record<string, number>;
      try {
        // Dropout draws its masks from Math.random: seeded per step, a run is reproducible, resumed or not.
        const schedule = { beta, delta: reversalWeight(globalStep / totalSteps) };
        losses = withSeededMathRandom(deriveSeed(experiment.seed, 'step', globalStep), () => method.step(batch, { experiment, schedule }));
      } finally {
        tf.dispose([batch.source, batch.labels, ...batch.targets]);
      }
      for (const [name, value] of Object.entries(losses)) sums[name] = (sums[name] ?? 0) + value;
      position = { epoch, stepInEpoch: step + 1, globalStep: globalStep + 1 };
      await writer.event({ kind: 'step', epoch, step: step + 1, steps: stepsPerEpoch, losses });
      options.onStep?.({ epoch, epochs: experiment.epochs, step: step + 1, steps: stepsPerEpoch, losses });
      if (stop.requested && step + 1 < stepsPerEpoch) {
        await saveCheckpointSet(writer.dir, method.learners, position, stepsPerEpoch, meta);
        await writer.event({ kind: 'checkpoint', ...position });
        await writer.log(`stopped at epoch ${epoch}, step ${step + 1}; checkpoint written. Resume with --resume ${writer.dir}`);
        await writer.setState('stopped');
        return 'stopped';
      }
    }
    const stepsRun = stepsPerEpoch - firstStep;
    const meanLosses = Object.fromEntries(Object.entries(sums).map(([name, sum]) => [name, sum / stepsRun]));
    lastScores = await evaluateModels(loader, classifiers, evalDomains, classNames.length, experiment.batchSize);
    const scores: EpochScores = {
      epoch,
      accuracy: Object.fromEntries(Object.entries(lastScores).map(([role, byDomain]) => [role, Object.fromEntries(Object.entries(byDomain).map(([d, s]) => [d, s.accuracy]))])),
      entropy: Object.fromEntries(Object.entries(lastScores).map(([role, byDomain]) => [role, Object.fromEntries(Object.entries(byDomain).map(([d, s]) => [d, s.entropy]))])),
    };
    history.push(scores);
    await writer.event({ kind: 'eval', ...scores });
    const saved = await saveCheckpointSet(writer.dir, method.learners, position, stepsPerEpoch, meta);
    checkpointBytes = saved.bytes;
    await writer.event({ kind: 'checkpoint', ...position, roles: saved.latest.roles });
    const epochDone: Omit<EpochEvent, 't'> = {
      kind: 'epoch',
      epoch,
      epochs: experiment.epochs,
      beta,
      losses: meanLosses,
      meanTargetAccuracy: Object.fromEntries(Object.entries(scores.accuracy).map(([role, acc]) => [role, meanOver(acc, data.targets)])),
    };
    await writer.event(epochDone);
    await writer.log(epochSummary(epochDone));
    const skippedLine = skipped.takeSummary(epoch);
    if (skippedLine) await writer.log(skippedLine);
    if (stop.requested && epoch < experiment.epochs) {
      await writer.log(`stopped after epoch ${epoch}; checkpoint written. Resume with --resume ${writer.dir}`);
      await writer.setState('stopped');
      return 'stopped';
    }
  }

  if (!lastScores) throw new Error('the run was already complete: nothing to resume');
  const costs: Record<string, ModelCost> = Object.fromEntries(method.learners.map((learner) => [learner.role, measureCost(learner.net, inputShape, experiment.batchSize, checkpointBytes[learner.role])]));
  const results = buildResults({ method: experiment.method.name, backend: options.backend.name, classNames, targets: [...data.targets], history, last: lastScores, costs });
  await writeJsonAtomic(path.join(writer.dir, RUN_FILES.results), results);
  await writer.event({ kind: 'results', headline: results.headline });
  await writer.setState('done');
  return 'done';
}
