import * as tf from '@tensorflow/tfjs-core';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DataError } from '../data/dataError';
import { DataLoader } from '../data/dataLoader';
import type { LoadedDataset } from '../data/dataset';
import type { DataProblem } from '../data/samples';
import { SkippedImages } from '../data/skippedImages';
import { deriveSeed } from '../data/seededRandom';
import type { Experiment } from '../../experiment/experiment';
import { writeJsonAtomic } from '../../runFolder/atomicFile';
import type { CheckpointMeta, LatestCheckpoint, TrainingPosition } from '../../runFolder/checkpointFiles';
import { readLatestJson } from '../../runFolder/readRunFiles';
import type { EpochScores, ModelCost } from '../../runFolder/results';
import type { EpochEvent } from '../../runFolder/runEvents';
import { RunFileError } from '../../runFolder/jsonShape';
import { CHECKPOINT_FILES, RUN_FILES, SOURCE_HOLDOUT, type RunState } from '../../runFolder/runFolderFormat';
import { epochSummary } from '../../runFolder/epochSummary';
import type { BackendReport } from '../backends/backendTypes';
import { createMethod } from '../methods/createMethod';
import type { Method } from '../methods/method';
import { annealedLearningRate, learningRateProgress, progressiveBeta, reversalWeight } from '../schedules';
import { evaluateModels, type DomainScore, type EvalDomain } from '../training/evaluate';
import { NonFiniteLossError, type Learner } from '../training/learner';
import { measureCost, measureModelCost } from '../training/modelCost';
import { logitsOf, withSeededMathRandom } from '../training/nets';
import { setLearningRate } from '../training/optimizer';
import type { StepBatch } from '../training/steps';
import { buildResults, meanOver } from './buildResults';
import { checkpointSetBytes, CheckpointWriteError, saveCheckpointSet } from './checkpointStore';
import type { RunWriter } from './runWriter';
import { loadSavedBackbones, startingPoint, type StartingPoint } from './startingPoint';

/**
 * Set by a signal handler: the loop finishes its step, checkpoints, and ends the run `stopped`;
 * or, when `timeLimit` says the Slurm job's time is nearly up and the job may requeue itself
 * again, `queued` (the caller requeues the job, which continues from the checkpoint).
 */
export interface StopRequest {
  requested: boolean;
  timeLimit?: boolean;
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
  /** In a Slurm job: how many times the job may requeue itself before the time limit (absent: never). */
  maxRequeues?: number;
}

/**
 * Trains an experiment into its run folder: every step's losses checked, an evaluation and a
 * checkpoint after every epoch, results.json at the end. Returns the state the run ended in (also
 * written to status.json); a NaN loss or a failed checkpoint write ends it `failed` with the
 * reason, the last complete checkpoint (if any) kept.
 */
export async function trainRun(options: TrainRunOptions): Promise<RunState> {
  const { writer } = options;
  await writer.setState('running');
  try {
    const latest = options.resume ? await resumePoint(writer) : undefined;
    await writer.event({
      kind: options.resume ? 'resume' : 'start',
      backend: options.backend,
      pid: process.pid,
      ...(options.resume && !latest ? { startedOver: true } : {}),
    });
    return await train(options, latest);
  } catch (error) {
    const message =
      error instanceof NonFiniteLossError ? `${error.message} ${await checkpointKept(writer.dir)}` : error instanceof Error ? error.message : String(error);
    // A stack is for a bug; these are the run's own faults, whose message says what to do.
    const known = error instanceof NonFiniteLossError || error instanceof CheckpointWriteError || error instanceof DataError;
    await writer.event({ kind: 'error', message, ...(error instanceof NonFiniteLossError ? { role: error.role, term: error.term } : {}) });
    await writer.log(`failed: ${message}`, known || !(error instanceof Error) ? undefined : error.stack);
    await writer.setState('failed', message);
    return 'failed';
  }
}

/** What a failed run leaves to resume from, as the disk has it (a run can fail before its first checkpoint). */
async function checkpointKept(runDir: string): Promise<string> {
  const latest = await readLatestJson(runDir).catch(() => undefined);
  return latest
    ? `The last good checkpoint (epoch ${latest.epoch}, step ${latest.stepInEpoch}) is kept.`
    : 'No checkpoint had been written yet, so none is kept: --resume starts the run over from step 0.';
}

/**
 * The checkpoint a resumed run continues from, or none when the run ended (killed, out of memory,
 * interrupted twice) before writing its first: then it starts over from step 0 in the same folder,
 * and any half-written set goes (without latest.json nothing in checkpoints/ is complete).
 */
async function resumePoint(writer: RunWriter): Promise<LatestCheckpoint | undefined> {
  try {
    return await readLatestJson(writer.dir);
  } catch (error) {
    if (!(error instanceof RunFileError && error.problem === 'missing')) throw error;
  }
  await rm(path.join(writer.dir, RUN_FILES.checkpoints), { recursive: true, force: true });
  await writer.log(
    `no checkpoint was written before the run ended (${path.join(RUN_FILES.checkpoints, CHECKPOINT_FILES.latest)} is missing): starting over from step 0 in this folder`,
  );
  return undefined;
}

/** `student: lenet5 cut after flatten (400-d adaptation features), discriminator 400-100-1`: what the UDA loss reads, in the log. */
function describeLearner(learner: Learner): string {
  const { net, discriminator } = learner;
  const widths = discriminator?.layers.flatMap((layer) => (layer.getClassName() === 'Dense' ? [(layer.getConfig() as { units: number }).units] : [])) ?? [];
  const normalised = discriminator?.layers.some((layer) => layer.getClassName() === 'BatchNormalization') ? ' with batch norm' : '';
  return `${learner.role}: ${net.name} cut after ${net.adaptAt} (${net.adaptationSize}-d adaptation features)${discriminator ? `, discriminator ${[net.adaptationSize, ...widths].join('-')}${normalised}` : ''}`;
}

/** Everything an epoch needs, built once: the data, the method's learners and the schedule's size. */
interface RunSetup {
  experiment: Experiment;
  writer: RunWriter;
  stop: StopRequest;
  onStep?: (progress: StepProgress) => void;
  maxRequeues?: number;
  dataset: LoadedDataset;
  loader: DataLoader;
  method: Method;
  inputShape: [number, number, number];
  classNames: string[];
  stepsPerEpoch: number;
  totalSteps: number;
  evalDomains: EvalDomain[];
  classifiers: Record<string, (images: tf.Tensor4D) => tf.Tensor2D>;
  /** Images the loader could not decode, summarised in the log at the end of each epoch. */
  skipped: SkippedImages;
  meta: Omit<CheckpointMeta, keyof TrainingPosition | 'version' | 'role' | 'architecture' | 'adaptAt' | 'adaptationSize'>;
}

/** Where the epoch loop ended: stopped on request, or every epoch done with the last evaluation. */
type LoopEnd =
  | { state: 'stopped' | 'queued' }
  | { state: 'complete'; lastScores: Record<string, Record<string, DomainScore>> | undefined; checkpointBytes: Record<string, number> };

async function train(options: TrainRunOptions, latest: LatestCheckpoint | undefined): Promise<RunState> {
  const run = await prepareRun(options, latest);
  const start = await startingPoint(run.experiment, run.method.learners, run.writer, run.stepsPerEpoch, latest);
  const end = await trainEpochs(run, start);
  if (end.state !== 'complete') return end.state;
  if (end.lastScores) {
    await writeResults(run, options.backend, start.history, end.lastScores, end.checkpointBytes);
    return 'done';
  }
  // Every epoch was checkpointed but the run ended (was killed) before results.json: the restored
  // models are the last epoch's, so evaluating them again gives the results it would have written.
  await run.writer.log('every epoch is checkpointed: evaluating the last checkpoint to write results.json');
  const lastScores = await evaluateModels(run.loader, run.classifiers, run.evalDomains, run.classNames.length, run.experiment.batchSize);
  await writeResults(run, options.backend, start.history, lastScores, await checkpointSetBytes(run.writer.dir, latest!.roles));
  return 'done';
}

/** Loads the data and builds the method's learners (a resumed run's saved backbones from its checkpoint). */
async function prepareRun(options: TrainRunOptions, latest: LatestCheckpoint | undefined): Promise<RunSetup> {
  const { experiment, writer } = options;
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
  const backbones = await loadSavedBackbones(experiment, latest && { runDir: writer.dir, latest });
  let method;
  try {
    method = createMethod({ experiment, shape: { inputShape, classes: classNames.length }, targets: data.targets, backbones });
  } finally {
    for (const backbone of backbones.values()) backbone.dispose();
  }
  for (const learner of method.learners) await writer.log(describeLearner(learner));
  for (const view of method.views ?? []) await writer.log(`${view.role}: ${view.architecture}, evaluated and saved as a model of its own`);
  const stepsPerEpoch = experiment.stepsPerEpoch ?? Math.max(1, Math.ceil(dataset.source.train.length / experiment.batchSize));
  return {
    experiment,
    writer,
    stop: options.stop,
    onStep: options.onStep,
    maxRequeues: options.maxRequeues,
    dataset,
    loader,
    method,
    inputShape,
    classNames,
    stepsPerEpoch,
    totalSteps: stepsPerEpoch * experiment.epochs,
    evalDomains: [
      ...dataset.targets.map((target) => ({ name: target.name, domain: target.name, samples: target.test })),
      { name: SOURCE_HOLDOUT, domain: dataset.source.name, samples: dataset.source.test },
    ],
    classifiers: Object.fromEntries([
      ...method.learners.map((learner) => [learner.role, (images: tf.Tensor4D) => logitsOf(learner.net, images, false)] as const),
      ...(method.views ?? []).map((view) => [view.role, (images: tf.Tensor4D) => view.model.apply(images, { training: false }) as tf.Tensor2D] as const),
    ]),
    skipped,
    meta: { inputShape, classNames, data: { ...selection, targets: [...data.targets] } },
  };
}

/** Every epoch from the starting point on: its steps, then its evaluation and checkpoint; `history` grows by each. */
async function trainEpochs(run: RunSetup, start: StartingPoint): Promise<LoopEnd> {
  const { experiment, stop, method, stepsPerEpoch } = run;
  let position = start.position;
  // The streams are deterministic by batch index: starting them at the checkpoint's step puts
  // every domain's sampler exactly where the interrupted run left it.
  // A method that never reads a target batch (source-only) gets none: decoding them would only cost time.
  const stream = run.loader.trainingSteps(method.readsTargets ? run.dataset : { ...run.dataset, targets: [] }, experiment.batchSize, position.globalStep);
  if (position.stepInEpoch >= stepsPerEpoch) position = { epoch: position.epoch + 1, stepInEpoch: 0, globalStep: position.globalStep };
  let lastScores: Record<string, Record<string, DomainScore>> | undefined;
  let checkpointBytes: Record<string, number> = {};
  for (let epoch = position.epoch; epoch <= experiment.epochs; epoch++) {
    const beta = progressiveBeta(epoch, experiment.epochs, experiment.method.beta.start, experiment.method.beta.end);
    const firstStep = epoch === position.epoch ? position.stepInEpoch : 0;
    const steps = await trainEpochSteps(run, stream, epoch, firstStep, beta);
    position = steps.position;
    if (steps.stopped) {
      await writeCheckpoint(run, position);
      return { state: await endStopped(run, `at epoch ${epoch}, step ${position.stepInEpoch}`) };
    }
    const ended = await endEpoch(run, position, beta, steps.meanLosses);
    start.history.push(ended.scores);
    lastScores = ended.lastScores;
    checkpointBytes = ended.checkpointBytes;
    if (stop.requested && epoch < experiment.epochs) return { state: await endStopped(run, `after epoch ${epoch}`) };
  }
  return { state: 'complete', lastScores, checkpointBytes };
}

/**
 * A stop, its checkpoint written: `queued` when the Slurm job's time limit is near and the job may
 * requeue itself once more (the caller requeues it), else `stopped`, as for a cancel.
 */
async function endStopped(run: RunSetup, where: string): Promise<'stopped' | 'queued'> {
  const { writer, stop, maxRequeues } = run;
  const slurm = writer.slurm;
  if (stop.timeLimit && slurm && maxRequeues !== undefined) {
    if (slurm.requeues < maxRequeues) {
      await writer.log(
        `the Slurm job's time limit is near: stopped ${where}; checkpoint written. Requeueing job ${slurm.jobId} (requeue ${slurm.requeues + 1} of at most ${maxRequeues}), which continues from it`,
      );
      await writer.setRequeued();
      return 'queued';
    }
    await writer.log(
      `the Slurm job's time limit is near and job ${slurm.jobId} has requeued itself ${slurm.requeues} times, the most allowed (maxRequeues ${maxRequeues})`,
    );
  }
  await writer.log(`stopped ${where}; checkpoint written. Resume with --resume ${writer.dir}`);
  await writer.setState('stopped');
  return 'stopped';
}

/**
 * The steps of one epoch from `firstStep`, each one's losses logged. Ends early, `stopped`, when a
 * stop is requested before the epoch's last step (the epoch's end checkpoints anyway).
 */
async function trainEpochSteps(
  run: RunSetup,
  stream: ReturnType<DataLoader['trainingSteps']>,
  epoch: number,
  firstStep: number,
  beta: number,
): Promise<{ position: TrainingPosition; stopped: boolean; meanLosses: Record<string, number> }> {
  const { experiment, writer, method, stepsPerEpoch, totalSteps } = run;
  const sums: Record<string, number> = {};
  let position: TrainingPosition = { epoch, stepInEpoch: firstStep, globalStep: (epoch - 1) * stepsPerEpoch + firstStep };
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
    await writer.event({ kind: 'step', epoch, step: step + 1, steps: stepsPerEpoch, epochs: experiment.epochs, losses });
    run.onStep?.({ epoch, epochs: experiment.epochs, step: step + 1, steps: stepsPerEpoch, losses });
    if (run.stop.requested && step + 1 < stepsPerEpoch) return { position, stopped: true, meanLosses: {} };
  }
  const stepsRun = stepsPerEpoch - firstStep;
  return { position, stopped: false, meanLosses: Object.fromEntries(Object.entries(sums).map(([name, sum]) => [name, sum / stepsRun])) };
}

/** A checkpoint set of every learner at `position` (mid-epoch: a stop), and its event. */
async function writeCheckpoint(run: RunSetup, position: TrainingPosition): Promise<Awaited<ReturnType<typeof saveCheckpointSet>>> {
  const saved = await saveCheckpointSet(
    run.writer.dir,
    run.method.learners,
    position,
    run.stepsPerEpoch,
    run.meta,
    run.experiment.checkpoints.keepEvery,
    run.method.views,
  );
  const complete = position.stepInEpoch >= run.stepsPerEpoch;
  await run.writer.event({ kind: 'checkpoint', ...position, ...(complete ? { roles: saved.latest.roles } : {}) });
  return saved;
}

/** An epoch's end: every model evaluated, a checkpoint, and the epoch's summary in events and log. */
async function endEpoch(
  run: RunSetup,
  position: TrainingPosition,
  beta: number,
  meanLosses: Record<string, number>,
): Promise<{ scores: EpochScores; lastScores: Record<string, Record<string, DomainScore>>; checkpointBytes: Record<string, number> }> {
  const { experiment, writer } = run;
  const { epoch } = position;
  const lastScores = await evaluateModels(run.loader, run.classifiers, run.evalDomains, run.classNames.length, experiment.batchSize);
  const scores: EpochScores = {
    epoch,
    accuracy: Object.fromEntries(
      Object.entries(lastScores).map(([role, byDomain]) => [role, Object.fromEntries(Object.entries(byDomain).map(([d, s]) => [d, s.accuracy]))]),
    ),
    entropy: Object.fromEntries(
      Object.entries(lastScores).map(([role, byDomain]) => [role, Object.fromEntries(Object.entries(byDomain).map(([d, s]) => [d, s.entropy]))]),
    ),
  };
  await writer.event({ kind: 'eval', ...scores });
  const saved = await writeCheckpoint(run, position);
  const epochDone: Omit<EpochEvent, 't'> = {
    kind: 'epoch',
    epoch,
    epochs: experiment.epochs,
    ...(run.method.weighsByBeta ? { beta } : {}),
    losses: meanLosses,
    meanTargetAccuracy: Object.fromEntries(Object.entries(scores.accuracy).map(([role, acc]) => [role, meanOver(acc, experiment.data.targets)])),
  };
  await writer.event(epochDone);
  await writer.log(epochSummary(epochDone));
  const skippedLine = run.skipped.takeSummary(epoch);
  if (skippedLine) await writer.log(skippedLine);
  return { scores, lastScores, checkpointBytes: saved.bytes };
}

/** results.json from the history and the last evaluation, with each model's cost; then the run is done. */
async function writeResults(
  run: RunSetup,
  backend: BackendReport,
  history: EpochScores[],
  lastScores: Record<string, Record<string, DomainScore>>,
  checkpointBytes: Record<string, number>,
): Promise<void> {
  const { experiment, writer, inputShape } = run;
  const costs: Record<string, ModelCost> = Object.fromEntries([
    ...run.method.learners.map((learner) => [learner.role, measureCost(learner.net, inputShape, checkpointBytes[learner.role])] as const),
    ...(run.method.views ?? []).map((view) => [view.role, measureModelCost(view.model, inputShape, checkpointBytes[view.role])] as const),
  ]);
  const results = buildResults({
    method: experiment.method.name,
    backend: backend.name,
    classNames: run.classNames,
    targets: [...experiment.data.targets],
    history,
    last: lastScores,
    costs,
  });
  await writeJsonAtomic(path.join(writer.dir, RUN_FILES.results), results);
  await writer.event({ kind: 'results', headline: results.headline });
  await writer.setState('done');
}
