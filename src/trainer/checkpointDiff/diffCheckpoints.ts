import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import path from 'node:path';
import { DataLoader } from '../data/dataLoader';
import { loadDataset } from '../data/dataset';
import type { Sample } from '../data/samples';
import { comparePredictions, scoreModel } from '../../checkpointDiff/predictionComparison';
import { CHECKPOINT_DIFF_VERSION, type CheckpointDiffReport, type DomainDiff } from '../../checkpointDiff/reportFormat';
import { architectureDifference, compareWeights, readCheckpointWeights } from '../../checkpointDiff/weightChange';
import { SOURCE_HOLDOUT } from '../../runFolder/runFolderFormat';
import { fileLoadHandler, MODEL_JSON } from '../checkpoints/fileModelIO';
import type { CheckpointMeta } from '../../runFolder/checkpointFiles';
import { readMetaJson } from '../../runFolder/readRunFiles';
import { describeSide, INFERENCE_BATCH_SIZE } from './checkpointSide';
import { compareRepresentations, DEFAULT_SAMPLE_PER_DOMAIN } from './representations';

export interface DiffOptions {
  /** Images drawn per domain for the representation figures; 0 leaves them out. */
  samplePerDomain: number;
}

/** Input that cannot be compared: the CLI exits 2 and writes nothing. */
export class DiffInputError extends Error {}

async function readMeta(dir: string): Promise<CheckpointMeta> {
  try {
    return await readMetaJson(dir);
  } catch (error) {
    // readMetaJson names the folder and what is wrong with it.
    throw new DiffInputError(error instanceof Error ? error.message : String(error));
  }
}

/** Refuses two checkpoints whose class sets differ, naming both and the classes each has alone. */
function checkSameClasses(dirA: string, a: readonly string[], dirB: string, b: readonly string[]): void {
  if (a.join('\n') === b.join('\n')) return;
  const onlyA = a.filter((name) => !b.includes(name));
  const onlyB = b.filter((name) => !a.includes(name));
  const why =
    onlyA.length || onlyB.length
      ? [onlyA.length ? `only A has ${onlyA.join(', ')}` : '', onlyB.length ? `only B has ${onlyB.join(', ')}` : ''].filter(Boolean).join('; ')
      : 'the same names in another order, so their label indices do not match';
  throw new DiffInputError(`cannot compare ${dirA} (A) and ${dirB} (B): their class sets differ (${why}). A: ${a.join(', ')}. B: ${b.join(', ')}.`);
}

/** A model's logits (row-major) and the labels of one domain's evaluation images, in order. */
async function predict(
  loader: DataLoader,
  model: tfl.LayersModel,
  samples: readonly Sample[],
  domain: string,
): Promise<{ labels: number[]; logits: Float32Array }> {
  const labels: number[] = [];
  const chunks: Float32Array[] = [];
  for await (const batch of loader.evalBatches(samples, INFERENCE_BATCH_SIZE, domain)) {
    labels.push(...batch.labels);
    chunks.push(tf.tidy(() => (model.predict(tf.tensor4d(batch.images, batch.shape)) as tf.Tensor2D).dataSync() as Float32Array));
  }
  const logits = new Float32Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    logits.set(chunk, offset);
    offset += chunk.length;
  }
  return { labels, logits };
}

/**
 * Evaluates both checkpoints on the targets and source hold-out of A's run, through the data
 * pipeline training uses (same splits, same preprocessing), and compares them, predictions and
 * (unless `options.samplePerDomain` is 0) representations on a seeded sample of each domain. Throws
 * DiffInputError for checkpoints that cannot be compared, DataError for data gone or changed.
 */
export async function diffCheckpoints(
  dirA: string,
  dirB: string,
  progress: (message: string) => void,
  options: DiffOptions = { samplePerDomain: DEFAULT_SAMPLE_PER_DOMAIN },
): Promise<CheckpointDiffReport> {
  const [metaA, metaB] = await Promise.all([readMeta(dirA), readMeta(dirB)]);
  checkSameClasses(dirA, metaA.classNames, dirB, metaB.classNames);
  const classes = metaA.classNames.length;
  const selection = metaA.data;
  const dataset = await loadDataset({
    root: selection.root,
    layout: selection.layout,
    source: selection.source,
    targets: selection.targets,
    split: selection.split,
    seed: selection.seed,
  });
  if (dataset.classNames.join('\n') !== metaA.classNames.join('\n')) {
    throw new DiffInputError(
      `the dataset ${selection.root} now has the classes ${dataset.classNames.join(', ')}, the checkpoints ${metaA.classNames.join(', ')}`,
    );
  }
  // One loader per input shape: two checkpoints of one shape share decoded images.
  const loaders = new Map<string, Promise<DataLoader>>();
  const loaderFor = (meta: CheckpointMeta) => {
    const [size, , channels] = meta.inputShape;
    const key = `${size}x${channels}`;
    if (!loaders.has(key)) loaders.set(key, DataLoader.create({ imageSize: size, channels: channels as 1 | 3, seed: selection.seed }));
    return loaders.get(key)!;
  };
  const [modelA, modelB] = await Promise.all([dirA, dirB].map((dir) => tfl.loadLayersModel(fileLoadHandler(path.join(dir, MODEL_JSON)))));
  try {
    const a = await describeSide(dirA, metaA, modelA);
    const b = await describeSide(dirB, metaB, modelB);
    progress(`A: ${a.label} (${a.architecture}, ${a.cost.parameters} parameters); B: ${b.label} (${b.architecture}, ${b.cost.parameters} parameters)`);
    const evalDomains = [
      ...dataset.targets.map((target) => ({ name: target.name, kind: 'target' as const, domain: target.name, samples: target.test })),
      { name: SOURCE_HOLDOUT, kind: 'source-holdout' as const, domain: dataset.source.name, samples: dataset.source.test },
    ];
    const domains: DomainDiff[] = [];
    for (const { name, kind, domain, samples } of evalDomains) {
      progress(`evaluating on ${name} (${samples.length} images)`);
      const predA = await predict(await loaderFor(metaA), modelA, samples, domain);
      const predB = await predict(await loaderFor(metaB), modelB, samples, domain);
      if (predA.labels.join() !== predB.labels.join())
        throw new Error(`${name}: the two models were fed different images (${predA.labels.length} and ${predB.labels.length})`);
      const scoreA = scoreModel(predA.labels, predA.logits, classes);
      const scoreB = scoreModel(predB.labels, predB.logits, classes);
      const { images, agreement, klAB, klBA } = comparePredictions(predA.logits, predB.logits, classes);
      domains.push({ name, kind, images, a: scoreA, b: scoreB, accuracyDelta: scoreA.accuracy - scoreB.accuracy, agreement, klAB, klBA });
      progress(
        `${name}: A ${(100 * scoreA.accuracy).toFixed(1)}%, B ${(100 * scoreB.accuracy).toFixed(1)}%, agreement ${(100 * agreement).toFixed(1)}%, KL(A||B) ${klAB.toFixed(4)}, KL(B||A) ${klBA.toFixed(4)}`,
      );
    }
    const representations =
      options.samplePerDomain > 0
        ? await compareRepresentations(
            { model: modelA, meta: metaA, loader: await loaderFor(metaA) },
            { model: modelB, meta: metaB, loader: await loaderFor(metaB) },
            evalDomains,
            { perDomain: options.samplePerDomain, seed: selection.seed },
            progress,
          )
        : undefined;
    const difference = architectureDifference(a.layers, b.layers);
    const weights = difference === undefined ? compareWeights(await readCheckpointWeights(dirA), await readCheckpointWeights(dirB)) : undefined;
    return {
      version: CHECKPOINT_DIFF_VERSION,
      createdAt: new Date().toISOString(),
      backend: tf.getBackend(),
      classNames: [...metaA.classNames],
      data: { root: selection.root, source: selection.source, targets: [...selection.targets], split: selection.split },
      a,
      b,
      architecture: difference === undefined ? { same: true } : { same: false, difference },
      domains,
      ...(weights ? { weights } : {}),
      ...(representations ? { representations } : {}),
    };
  } finally {
    modelA.dispose();
    modelB.dispose();
  }
}
