import * as tf from '@tensorflow/tfjs-core';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../runFolder/atomicFile';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/**
 * A tfjs IOHandler that saves a model as `model.json` + `weights.bin` in `dir` (the layout
 * tfjs-node's file:// handler and tfjs-converter use, so checkpoints load anywhere), with
 * crash-safe writes. It needs no native backend, so it works on wasm and cpu too.
 */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      await mkdir(dir, { recursive: true });
      // weights first: a model.json that exists always has its weights beside it.
      await writeFileAtomic(path.join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      await writeJsonAtomic(path.join(dir, MODEL_JSON), modelJson);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/**
 * Why a parsed model.json is not a tfjs layers model, or undefined when it is one. A graph model
 * (tensorflowjs_converter's default for a tf.saved_model or a frozen graph) holds ops rather than
 * layers, so it can be neither trained nor cut at a layer: say how to convert it instead.
 */
export function notLayersModelReason(modelJson: { format?: string; modelTopology?: unknown }): string | undefined {
  const topology = modelJson.modelTopology as { node?: unknown } | undefined;
  if (modelJson.format === 'graph-model' || Array.isArray(topology?.node)) {
    return 'not a tfjs layers model but a graph model, which cannot be trained; convert the Keras model with tensorflowjs_converter --output_format tfjs_layers_model (from a tf.saved_model: --input_format keras_saved_model)';
  }
  if (!topology) return 'not a tfjs layers model (no "modelTopology")';
  return undefined;
}

const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/** The bytes a weights manifest describes: each weight's values at its stored (maybe quantised) width. */
function describedBytes(specs: readonly tf.io.WeightsManifestEntry[]): number {
  return specs.reduce((sum, spec) => {
    const values = spec.shape.reduce((product, size) => product * size, 1);
    return sum + values * (BYTES_PER_VALUE[spec.quantization?.dtype ?? spec.dtype] ?? 4);
  }, 0);
}

/** Loads what `fileSaveHandler` (or tfjs-node, or tfjs-converter with one weights file per path) wrote. */
export function fileLoadHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      let modelJson: tf.io.ModelJSON;
      try {
        modelJson = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (error) {
        throw new Error(`${modelJsonPath}: cannot read the model: ${error instanceof Error ? error.message : String(error)}`);
      }
      const notLayers = notLayersModelReason(modelJson);
      if (notLayers) throw new Error(`${modelJsonPath}: ${notLayers}`);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = await Promise.all(
          manifest
            .flatMap((group) => group.paths)
            .map(async (relative) => {
              const file = path.resolve(path.dirname(modelJsonPath), relative);
              try {
                const bytes = await readFile(file);
                return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
              } catch (error) {
                throw new Error(`${modelJsonPath}: weights file ${relative} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
              }
            }),
        );
        const present = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
        const expected = describedBytes(specs);
        if (present !== expected) {
          const files = manifest.flatMap((group) => group.paths).join(', ');
          throw new Error(
            `${modelJsonPath}: ${files} ${present < expected ? 'is truncated' : 'is longer than described'}: it holds ${present.toLocaleString('en-US')} bytes, model.json describes ${expected.toLocaleString('en-US')} (${specs.length} weights). The checkpoint is damaged or its files come from different models.`,
          );
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}
