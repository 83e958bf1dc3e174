import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../runFolder/atomicFile';
import { RUN_FILES, RUN_FORMAT_VERSION } from '../../runFolder/runFolderFormat';
import { fileLoadHandler, fileSaveHandler, MODEL_JSON, WEIGHTS_BIN } from '../checkpoints/fileModelIO';
import type { SplitClassifier } from '../models/buildModel';
import type { Learner } from '../training/learner';

/** Where training stands: enough to continue on the same schedule. */
export interface TrainingPosition {
  /** 1-based epoch being trained (or just finished, when stepInEpoch = stepsPerEpoch). */
  epoch: number;
  /** Steps of `epoch` done. */
  stepInEpoch: number;
  /** Steps done since the start; the data streams are replayed to here on resume. */
  globalStep: number;
}

/** meta.json beside each checkpointed model: what it is and how to feed it. */
export interface CheckpointMeta extends TrainingPosition {
  version: number;
  role: string;
  architecture: string;
  /** Where the net is cut into trunk and head, and the adaptation features' length (older checkpoints lack both). */
  adaptAt?: string;
  adaptationSize?: number;
  inputShape: [number, number, number];
  classNames: string[];
  /** The data selection it was trained on, so `kd-uda eval` can rebuild the same splits. */
  data: { root: string; layout: string; source: string; targets: string[]; split: { kind: string; testFraction?: number }; seed: number };
}

/** checkpoints/latest.json: the last complete checkpoint set, written only after all its files. */
export interface LatestCheckpoint extends TrainingPosition {
  version: number;
  /** role -> folder, relative to the run folder. */
  roles: Record<string, string>;
}

export const LATEST = 'latest.json';
const OPTIMIZER_JSON = 'optimizer.json';
const OPTIMIZER_BIN = 'optimizer.bin';
const DISCRIMINATOR = 'discriminator';

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

async function fileBytes(...files: string[]): Promise<number> {
  const sizes = await Promise.all(files.map(async (file) => (await stat(file)).size));
  return sizes.reduce((a, b) => a + b, 0);
}

/**
 * Saves every learner (model, discriminator, optimiser state, meta.json), then points
 * checkpoints/latest.json at the new set, then deletes the set it replaces. A write that fails
 * (a full disk) throws CheckpointWriteError before the pointer moves: the previous set stays
 * complete and is what resume and eval use.
 */
export async function saveCheckpointSet(
  runDir: string,
  learners: readonly Learner[],
  position: TrainingPosition,
  stepsPerEpoch: number,
  meta: Omit<CheckpointMeta, keyof TrainingPosition | 'version' | 'role' | 'architecture' | 'adaptAt' | 'adaptationSize'>,
): Promise<{ latest: LatestCheckpoint; bytes: Record<string, number> }> {
  const checkpoints = path.join(runDir, RUN_FILES.checkpoints);
  const previous = await readLatest(runDir).catch(() => undefined);
  const label = setLabel(position, stepsPerEpoch);
  const roles: Record<string, string> = {};
  const bytes: Record<string, number> = {};
  try {
    for (const learner of learners) {
      const relative = path.join(RUN_FILES.checkpoints, learner.role, label);
      const dir = path.join(runDir, relative);
      await wholeModel(learner.net, learner.role).save(fileSaveHandler(dir));
      if (learner.discriminator) await learner.discriminator.save(fileSaveHandler(path.join(dir, DISCRIMINATOR)));
      const state = await learner.optimizer.getWeights();
      const { data, specs } = await tf.io.encodeWeights(state);
      // The state is the optimiser's own variables plus a fresh scalar for its iteration count.
      tf.dispose(state.map((entry) => entry.tensor).filter((tensor) => !(tensor instanceof tf.Variable)));
      await writeFileAtomic(path.join(dir, OPTIMIZER_BIN), new Uint8Array(tf.io.CompositeArrayBuffer.join(data)));
      await writeJsonAtomic(path.join(dir, OPTIMIZER_JSON), specs);
      const full: CheckpointMeta = { version: RUN_FORMAT_VERSION, role: learner.role, architecture: learner.net.name, adaptAt: learner.net.adaptAt, adaptationSize: learner.net.adaptationSize, ...meta, ...position };
      await writeJsonAtomic(path.join(dir, 'meta.json'), full);
      roles[learner.role] = relative;
      bytes[learner.role] = await fileBytes(path.join(dir, MODEL_JSON), path.join(dir, WEIGHTS_BIN));
    }
    const latest: LatestCheckpoint = { version: RUN_FORMAT_VERSION, ...position, roles };
    await writeJsonAtomic(path.join(checkpoints, LATEST), latest);
    if (previous) {
      await Promise.all(Object.values(previous.roles).filter((dir) => !Object.values(roles).includes(dir)).map((dir) => rm(path.join(runDir, dir), { recursive: true, force: true })));
    }
    return { latest, bytes };
  } catch (error) {
    const kept = previous ? ` The previous checkpoint (epoch ${previous.epoch}, step ${previous.stepInEpoch}) is intact.` : '';
    throw new CheckpointWriteError(`cannot write the checkpoint ${label}: ${error instanceof Error ? error.message : String(error)}.${kept}`);
  }
}

export async function readLatest(runDir: string): Promise<LatestCheckpoint> {
  const file = path.join(runDir, RUN_FILES.checkpoints, LATEST);
  const latest = JSON.parse(await readFile(file, 'utf8')) as LatestCheckpoint;
  if (latest.version > RUN_FORMAT_VERSION) {
    throw new Error(`${file} was written by a newer KD-UDA Lab (checkpoint format ${latest.version}; this one reads up to ${RUN_FORMAT_VERSION}). Update the extension to resume it.`);
  }
  return latest;
}

export async function readCheckpointMeta(dir: string): Promise<CheckpointMeta> {
  const meta = JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8')) as CheckpointMeta;
  if (meta.version > RUN_FORMAT_VERSION) {
    throw new Error(`${dir} was written by a newer KD-UDA Lab (format ${meta.version}; this one reads up to ${RUN_FORMAT_VERSION}).`);
  }
  return meta;
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

/** Restores a learner completely (weights, discriminator, optimiser state) for resuming. */
export async function restoreLearner(learner: Learner, dir: string): Promise<void> {
  await loadNetWeights(learner.net, learner.role, dir);
  if (learner.discriminator) await copyWeights(learner.discriminator, path.join(dir, DISCRIMINATOR, MODEL_JSON));
  const specs = JSON.parse(await readFile(path.join(dir, OPTIMIZER_JSON), 'utf8')) as tf.io.WeightsManifestEntry[];
  const bytes = await readFile(path.join(dir, OPTIMIZER_BIN));
  const tensors = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, specs);
  // The optimiser makes variables of these (sharing their data), so the tensors themselves can go.
  await learner.optimizer.setWeights(specs.map((spec) => ({ name: spec.name, tensor: tensors[spec.name] })));
  tf.dispose(Object.values(tensors));
}
