import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ArchitectureRow, CheckpointSide } from '../../checkpointDiff/reportFormat';
import { checkpointLabel, runDirOf } from '../../checkpointDiff/runCheckpoints';
import { MODEL_JSON, WEIGHTS_BIN } from '../checkpoints/fileModelIO';
import type { CheckpointMeta } from '../../runFolder/checkpointFiles';
import { recordLatency } from '../../runFolder/inferenceLatency';
import { measureInferenceLatency } from '../training/measureLatency';
import { macsPerImage } from '../training/modelCost';

/** Images per inference batch, for evaluation. */
export const INFERENCE_BATCH_SIZE = 32;

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

/** One side of a diff: which checkpoint it is, its layers and its costs (latency measured here, on the current backend). */
export async function describeSide(dir: string, meta: CheckpointMeta, model: tfl.LayersModel): Promise<CheckpointSide> {
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
      // Timed as the trainer times it for results.json, so the two figures for one checkpoint agree.
      ...recordLatency(measureInferenceLatency((images) => model.predict(images) as tf.Tensor, inputShape)),
      backend: tf.getBackend(),
    },
  };
}
