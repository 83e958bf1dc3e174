import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../runFolder/atomicFile';
import type { CheckpointMeta, LatestCheckpoint, TrainingPosition } from '../../runFolder/checkpointFiles';
import { readLatestJson } from '../../runFolder/readRunFiles';
import { CHECKPOINT_FILES, RUN_FILES, RUN_FORMAT_VERSION } from '../../runFolder/runFolderFormat';
import { fileLoadHandler, fileSaveHandler, MODEL_JSON, WEIGHTS_BIN } from '../checkpoints/fileModelIO';
import type { SplitClassifier } from '../models/buildModel';
import type { Learner } from '../training/learner';
import type { ModelView } from '../training/modelView';
import { keepsAsSnapshot } from './checkpointRetention';

const OPTIMIZER_JSON = 'optimizer.json';
const OPTIMIZER_BIN = 'optimizer.bin';
const DISCRIMINATOR = 'discriminator';
const EXTRAS = 'extras';

export class CheckpointWriteError extends Error {}

/** The whole classifier as one layers model (the trunk's layers, then the head), the form a checkpoint holds. */
const wholeModels = new WeakMap<SplitClassifier, tfl.LayersModel>();
export function wholeModel(net: SplitClassifier, name: string): tfl.LayersModel {
  let model = wholeModels.get(net);
  if (!model) {
    const logits = net.head.apply(net.trunk.outputs[0]) as tfl.SymbolicTensor;
    model = tfl.model({ inputs: net.trunk.inputs, outputs: logits, name: name.replace(/[^A-Za-z0-9_]/g, '_') });
    wholeModels.set(net, model);
  }
  return model;
}

function setLabel(position: TrainingPosition, stepsPerEpoch: number): string {
  return position.stepInEpoch >= stepsPerEpoch ? `epoch-${position.epoch}` : `epoch-${position.epoch}-step-${position.stepInEpoch}`;
}

/** The bytes of each role's model (model.json + weights.bin), as results.json reports them. */
export async function checkpointSetBytes(runDir: string, roles: Record<string, string>): Promise<Record<string, number>> {
  const bytes: Record<string, number> = {};
  for (const [role, dir] of Object.entries(roles)) bytes[role] = await fileBytes(path.join(runDir, dir, MODEL_JSON), path.join(runDir, dir, WEIGHTS_BIN));
  return bytes;
}

async function fileBytes(...files: string[]): Promise<number> {
  const sizes = await Promise.all(files.map(async (file) => (await stat(file)).size));
  return sizes.reduce((a, b) => a + b, 0);
}

/**
 * A replaced set kept as an epoch snapshot: only what comparing and evaluating it read (model.json,
 * weights.bin, meta.json). Its optimiser state, discriminator and extras served resuming from it, which
 * only the latest set does, and would more than double its size on disk.
 */
async function keepAsSnapshot(dir: string): Promise<void> {
  await Promise.all([OPTIMIZER_JSON, OPTIMIZER_BIN, DISCRIMINATOR, EXTRAS].map((name) => rm(path.join(dir, name), { recursive: true, force: true })));
}

/**
 * Saves every learner (model, discriminator, optimiser state, meta.json) and every view (model and
 * meta.json: a learner restores its weights), then points
 * checkpoints/latest.json at the new set, then deals with the set it replaces: kept as an epoch
 * snapshot when the retention says so (every `keepEvery`-th epoch's end, see
 * checkpointRetention.ts), else deleted. A write that fails (a full disk) throws
 * CheckpointWriteError before the pointer moves: the previous set stays complete and is what
 * resume and eval use.
 */
export async function saveCheckpointSet(
  runDir: string,
  learners: readonly Learner[],
  position: TrainingPosition,
  stepsPerEpoch: number,
  meta: Omit<CheckpointMeta, keyof TrainingPosition | 'version' | 'role' | 'architecture' | 'adaptAt' | 'adaptationSize'>,
  keepEvery: number,
  views: readonly ModelView[] = [],
): Promise<{ latest: LatestCheckpoint; bytes: Record<string, number> }> {
  const checkpoints = path.join(runDir, RUN_FILES.checkpoints);
  const previous = await readLatestJson(runDir).catch(() => undefined);
  const label = setLabel(position, stepsPerEpoch);
  const roles: Record<string, string> = {};
  const bytes: Record<string, number> = {};
  try {
    for (const learner of learners) {
      const relative = path.join(RUN_FILES.checkpoints, learner.role, label);
      const dir = path.join(runDir, relative);
      await wholeModel(learner.net, learner.role).save(fileSaveHandler(dir));
      if (learner.discriminator) await learner.discriminator.save(fileSaveHandler(path.join(dir, DISCRIMINATOR)));
      for (const [name, model] of Object.entries(learner.extras)) await model.save(fileSaveHandler(path.join(dir, EXTRAS, name)));
      const state = await learner.optimizer.getWeights();
      const { data, specs } = await tf.io.encodeWeights(state);
      // The state is the optimiser's own variables plus a fresh scalar for its iteration count.
      tf.dispose(state.map((entry) => entry.tensor).filter((tensor) => !(tensor instanceof tf.Variable)));
      await writeFileAtomic(path.join(dir, OPTIMIZER_BIN), new Uint8Array(tf.io.CompositeArrayBuffer.join(data)));
      await writeJsonAtomic(path.join(dir, OPTIMIZER_JSON), specs);
      const full: CheckpointMeta = {
        version: RUN_FORMAT_VERSION,
        role: learner.role,
        architecture: learner.net.name,
        adaptAt: learner.net.adaptAt,
        adaptationSize: learner.net.adaptationSize,
        ...meta,
        ...position,
      };
      await writeJsonAtomic(path.join(dir, CHECKPOINT_FILES.meta), full);
      roles[learner.role] = relative;
      bytes[learner.role] = await fileBytes(path.join(dir, MODEL_JSON), path.join(dir, WEIGHTS_BIN));
    }
    for (const view of views) {
      const relative = path.join(RUN_FILES.checkpoints, view.role, label);
      const dir = path.join(runDir, relative);
      await view.model.save(fileSaveHandler(dir));
      const { role, architecture, adaptAt, adaptationSize } = view;
      await writeJsonAtomic(path.join(dir, CHECKPOINT_FILES.meta), {
        version: RUN_FORMAT_VERSION,
        role,
        architecture,
        adaptAt,
        adaptationSize,
        ...meta,
        ...position,
      });
      roles[view.role] = relative;
      bytes[view.role] = await fileBytes(path.join(dir, MODEL_JSON), path.join(dir, WEIGHTS_BIN));
    }
    const latest: LatestCheckpoint = { version: RUN_FORMAT_VERSION, ...position, roles };
    await writeJsonAtomic(path.join(checkpoints, CHECKPOINT_FILES.latest), latest);
    if (previous) {
      const kept = keepsAsSnapshot(previous, stepsPerEpoch, keepEvery);
      await Promise.all(
        Object.values(previous.roles)
          .filter((dir) => !Object.values(roles).includes(dir))
          .map((dir) => (kept ? keepAsSnapshot(path.join(runDir, dir)) : rm(path.join(runDir, dir), { recursive: true, force: true }))),
      );
    }
    return { latest, bytes };
  } catch (error) {
    const kept = previous ? ` The previous checkpoint (epoch ${previous.epoch}, step ${previous.stepInEpoch}) is intact.` : '';
    throw new CheckpointWriteError(`cannot write the checkpoint ${label}: ${error instanceof Error ? error.message : String(error)}.${kept}`);
  }
}

/** Copies a saved model's weights into a live one of the same architecture. */
async function copyWeights(target: tfl.LayersModel, modelJson: string): Promise<void> {
  const loaded = await tfl.loadLayersModel(fileLoadHandler(modelJson));
  try {
    const weights = loaded.getWeights();
    const expected = target.getWeights();
    const mismatch = weights.length !== expected.length || weights.some((w, i) => !tf.util.arraysEqual(w.shape, expected[i].shape));
    if (mismatch) throw new Error(`${modelJson} holds a different architecture (or width/depth) than the model it is loaded into`);
    target.setWeights(weights);
  } finally {
    loaded.dispose();
  }
}

/** Loads a net's weights from a checkpoint folder (a teacher's warm start). */
export function loadNetWeights(net: SplitClassifier, role: string, dir: string): Promise<void> {
  return copyWeights(wholeModel(net, role), path.join(dir, MODEL_JSON));
}

/** Restores a learner completely (weights, discriminator, extras, optimiser state) for resuming. */
export async function restoreLearner(learner: Learner, dir: string): Promise<void> {
  await loadNetWeights(learner.net, learner.role, dir);
  if (learner.discriminator) await copyWeights(learner.discriminator, path.join(dir, DISCRIMINATOR, MODEL_JSON));
  for (const [name, model] of Object.entries(learner.extras)) await copyWeights(model, path.join(dir, EXTRAS, name, MODEL_JSON));
  const specs = JSON.parse(await readFile(path.join(dir, OPTIMIZER_JSON), 'utf8')) as tf.io.WeightsManifestEntry[];
  const bytes = await readFile(path.join(dir, OPTIMIZER_BIN));
  const tensors = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), specs);
  // The optimiser makes variables of these (sharing their data), so the tensors themselves can go.
  await learner.optimizer.setWeights(specs.map((spec) => ({ name: spec.name, tensor: tensors[spec.name] })));
  tf.dispose(Object.values(tensors));
}
