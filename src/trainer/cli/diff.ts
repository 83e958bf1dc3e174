import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DataError } from '../data/dataError';
import { DataLoader } from '../data/dataLoader';
import { loadDataset } from '../data/dataset';
import type { Sample } from '../data/samples';
import { comparePredictions, scoreModel } from '../../checkpointDiff/predictionComparison';
import { CHECKPOINT_DIFF_VERSION, type ArchitectureRow, type CheckpointDiffReport, type CheckpointSide, type DomainDiff } from '../../checkpointDiff/reportFormat';
import type { DiffMessage } from '../../checkpointDiff/diffMessages';
import { checkpointLabel, diffReportFile, runDirOf } from '../../checkpointDiff/runCheckpoints';
import { architectureDifference, compareWeights, readCheckpointWeights } from '../../checkpointDiff/weightChange';
import { writeJsonAtomic } from '../../runFolder/atomicFile';
import type { CheckpointMeta } from '../../runFolder/checkpointFiles';
import { readMetaJson } from '../../runFolder/readRunFiles';
import { SOURCE_HOLDOUT } from '../../runFolder/runFolderFormat';
import { parseBackendChoice } from '../backends/backendChoice';
import { fileLoadHandler, MODEL_JSON, WEIGHTS_BIN } from '../checkpoints/fileModelIO';
import { macsPerImage, medianInferenceMs } from '../training/modelCost';
import { startBackend } from './startBackend';
import { tellLauncher } from './tellLauncher';
import type { CliIo } from './cliIo';

export const DIFF_USAGE = `Usage: kd-uda diff <checkpointA> <checkpointB> [--out FILE.json] [--backend NAME]

Compares two checkpoint folders (model.json + weights.bin + meta.json, as a run writes them):
architecture, cost, accuracy of each on every target's test split and the source hold-out of A's
run (split as in that run), per-class accuracy and confusion, and between the two the top-1
agreement and KL divergence; for one architecture also the per-layer weight change. Writes a JSON
report to --out (default: <A's run folder>/diffs/<A>--<B>.<hash of both folders>.json).

Exit codes: 0 written; 1 failed; 2 bad arguments or checkpoints that cannot be compared (another
class set).`;

/** Images per inference batch, for evaluation and for the latency figure. */
const BATCH_SIZE = 32;

/** Input that cannot be compared: exit code 2, nothing written. */
export class DiffInputError extends Error {}

async function readMeta(dir: string): Promise<CheckpointMeta> {
  try {
    return await readMetaJson(dir);
  } catch (error) {
    throw new DiffInputError(`${dir} is not a checkpoint folder: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Refuses two checkpoints whose class sets differ, naming both and the classes each has alone. */
function checkSameClasses(dirA: string, a: readonly string[], dirB: string, b: readonly string[]): void {
  if (a.join('\n') === b.join('\n')) return;
  const onlyA = a.filter((name) => !b.includes(name));
  const onlyB = b.filter((name) => !a.includes(name));
  const why = onlyA.length || onlyB.length
    ? [onlyA.length ? `only A has ${onlyA.join(', ')}` : '', onlyB.length ? `only B has ${onlyB.join(', ')}` : ''].filter(Boolean).join('; ')
    : 'the same names in another order, so their label indices do not match';
  throw new DiffInputError(`cannot compare ${dirA} (A) and ${dirB} (B): their class sets differ (${why}). A: ${a.join(', ')}. B: ${b.join(', ')}.`);
}

/**
 * Layers of a model with nested models (the classifier head) flattened, in order. A nested
 * model's own input layer is only the seam where it is attached, so it is left out.
 */
function architectureRows(model: tfl.LayersModel, nested = false): ArchitectureRow[] {
  return model.layers.flatMap((layer): ArchitectureRow[] => {
    if (layer instanceof tfl.LayersModel) return architectureRows(layer, true);
    if (nested && layer.getClassName() === 'InputLayer') return [];
    const shape = (Array.isArray(layer.outputShape[0]) ? layer.outputShape[0] : layer.outputShape) as (number | null)[];
    return [{ name: layer.name, className: layer.getClassName(), outputShape: shape.slice(1).map((size) => size ?? 0), params: layer.countParams() }];
  });
}

async function fileBytes(...files: string[]): Promise<number> {
  return (await Promise.all(files.map(async (file) => (await stat(file)).size))).reduce((sum, size) => sum + size, 0);
}

async function describeSide(dir: string, meta: CheckpointMeta, model: tfl.LayersModel): Promise<CheckpointSide> {
  const runDir = runDirOf(dir);
  const inputShape = meta.inputShape;
  return {
    dir,
    ...(runDir ? { runId: path.basename(runDir) } : {}),
    label: checkpointLabel(dir),
    role: meta.role,
    architecture: meta.architecture,
    epoch: meta.epoch,
    stepInEpoch: meta.stepInEpoch,
    inputShape: [...inputShape],
    layers: architectureRows(model),
    cost: {
      parameters: model.countParams(),
      macsPerImage: macsPerImage(model),
      checkpointBytes: await fileBytes(path.join(dir, MODEL_JSON), path.join(dir, WEIGHTS_BIN)),
      latencyMsPerBatch: medianInferenceMs((images) => model.predict(images) as tf.Tensor, inputShape, BATCH_SIZE),
      latencyBatchSize: BATCH_SIZE,
      backend: tf.getBackend(),
    },
  };
}

/** A model's logits (row-major) and the labels of one domain's evaluation images, in order. */
async function predict(loader: DataLoader, model: tfl.LayersModel, samples: readonly Sample[], domain: string): Promise<{ labels: number[]; logits: Float32Array }> {
  const labels: number[] = [];
  const chunks: Float32Array[] = [];
  for await (const batch of loader.evalBatches(samples, BATCH_SIZE, domain)) {
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
 * pipeline training uses (same splits, same preprocessing), and compares them.
 */
export async function diffCheckpoints(dirA: string, dirB: string, progress: (message: string) => void): Promise<CheckpointDiffReport> {
  const [metaA, metaB] = await Promise.all([readMeta(dirA), readMeta(dirB)]);
  checkSameClasses(dirA, metaA.classNames, dirB, metaB.classNames);
  const classes = metaA.classNames.length;
  const selection = metaA.data;
  const dataset = await loadDataset({ root: selection.root, layout: selection.layout, source: selection.source, targets: selection.targets, split: selection.split, seed: selection.seed });
  if (dataset.classNames.join('\n') !== metaA.classNames.join('\n')) {
    throw new DiffInputError(`the dataset ${selection.root} now has the classes ${dataset.classNames.join(', ')}, the checkpoints ${metaA.classNames.join(', ')}`);
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
      if (predA.labels.join() !== predB.labels.join()) throw new Error(`${name}: the two models were fed different images (${predA.labels.length} and ${predB.labels.length})`);
      const scoreA = scoreModel(predA.labels, predA.logits, classes);
      const scoreB = scoreModel(predB.labels, predB.logits, classes);
      const { images, agreement, klAB, klBA } = comparePredictions(predA.logits, predB.logits, classes);
      domains.push({ name, kind, images, a: scoreA, b: scoreB, accuracyDelta: scoreA.accuracy - scoreB.accuracy, agreement, klAB, klBA });
      progress(`${name}: A ${(100 * scoreA.accuracy).toFixed(1)}%, B ${(100 * scoreB.accuracy).toFixed(1)}%, agreement ${(100 * agreement).toFixed(1)}%, KL(A||B) ${klAB.toFixed(4)}, KL(B||A) ${klBA.toFixed(4)}`);
    }
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
    };
  } finally {
    modelA.dispose();
    modelB.dispose();
  }
}

/** Why the pair cannot be compared, to the terminal and to the launcher. */
function refuse(io: CliIo, reason: string): void {
  io.err(`kd-uda diff: ${reason}`);
  tellLauncher({ kind: 'diff-failed', reason } satisfies DiffMessage);
}

export async function diffCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: { out: { type: 'string' }, backend: { type: 'string', default: 'auto' }, help: { type: 'boolean', short: 'h' } } });
    if (!parsed.values.help && parsed.positionals.length !== 2) throw new Error('give two checkpoint folders');
  } catch (error) {
    io.err(`kd-uda diff: ${(error as Error).message}\n\n${DIFF_USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(DIFF_USAGE);
    return 0;
  }
  const [dirA, dirB] = parsed.positionals.map((dir) => path.resolve(dir));
  const runDir = runDirOf(dirA);
  const out = parsed.values.out ? path.resolve(parsed.values.out) : runDir ? diffReportFile(runDir, dirA, dirB) : undefined;
  if (!out) {
    io.err(`kd-uda diff: ${dirA} is not in a run folder, so there is no default place for the report: give --out FILE.json`);
    return 2;
  }
  try {
    await startBackend(parseBackendChoice(parsed.values.backend!, '--backend'), io.err);
    const report = await diffCheckpoints(dirA, dirB, (message) => {
      io.out(`[diff] ${message}`);
      tellLauncher({ kind: 'diff-progress', message } satisfies DiffMessage);
    });
    await mkdir(path.dirname(out), { recursive: true });
    await writeJsonAtomic(out, report);
    io.out(`[diff] wrote ${out}`);
    return 0;
  } catch (error) {
    if (error instanceof DiffInputError) {
      refuse(io, error.message);
      return 2;
    }
    // Data that is gone or changed since the run is the user's to fix: the reason, not a stack.
    if (error instanceof DataError) {
      refuse(io, `cannot evaluate on the data of ${dirA}'s run: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
