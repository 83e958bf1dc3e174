import * as tfl from '@tensorflow/tfjs-layers';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileLoadHandler, notLayersModelReason } from '../checkpoints/fileModelIO';
import { linearHead } from './lenet5';
import type { SplitClassifier } from './modelTypes';

/**
 * Architecture `saved`: a backbone from a tfjs layers model on disk (model.json + weights, as
 * tfjs's `model.save` or tensorflowjs_converter write them), cut at its feature layer, with a new
 * linear head for the experiment's classes. The model is loaded once per run and copied for each
 * learner that uses it, so that, say, MT-MTDA's teachers all start from the saved weights yet train
 * apart.
 */

/** A saved model cut to its feature extractor: image in, [batch, features] out. */
export interface SavedBackbone {
  features: tfl.LayersModel;
  /** A checkpoint's own trained head, which a resumed net keeps (then `adaptAt` is where the features end). */
  head?: tfl.LayersModel;
  /** Frees the loaded model; nets built from it hold their own copies. */
  dispose(): void;
}

/** Named so it cannot clash with a layer of a converted model (layer names must be unique in a model). */
const POOL_LAYER = 'kd_uda_feature_pool';

type Shape = (number | null)[];

/** Layers whose [batch, n] output is a pooled feature vector, not a classifier's scores. */
const FEATURE_VECTOR_LAYERS = new Set(['GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'Flatten']);

/**
 * The output a backbone's features come from: `featureLayer`'s, or by default the model's own output
 * when a pooling or flatten layer makes it (a headless backbone exported with pooling), else the
 * last 4-D map. A converted ImageNet network that still ends in its 1,000-way classifier is thus
 * cut before the classifier, not at its softmax. A 4-D map is globally average-pooled, as the
 * built-in ResNets do.
 */
function featureOutput(model: tfl.LayersModel, file: string, featureLayer: string | undefined): tfl.SymbolicTensor {
  if (featureLayer !== undefined) {
    const output = model.getLayer(featureLayer).output;
    const shape = Array.isArray(output) ? undefined : output.shape;
    if (shape?.length === 2) return output as tfl.SymbolicTensor;
    if (shape?.length === 4) return globalPool(output as tfl.SymbolicTensor);
    throw new Error(
      `${file}: featureLayer "${featureLayer}" gives ${shape ? `[${shape.join(', ')}]` : 'several outputs'}; a feature layer gives [batch, features] or [batch, height, width, channels]`,
    );
  }
  const last = model.layers[model.layers.length - 1];
  if (model.outputs.length === 1 && model.outputs[0].shape.length === 2 && FEATURE_VECTOR_LAYERS.has(last.getClassName())) return model.outputs[0];
  for (const layer of [...model.layers].reverse()) {
    const output = layer.output;
    if (!Array.isArray(output) && output.shape.length === 4) return globalPool(output);
  }
  throw new Error(`${file}: no layer gives [batch, features] or [batch, height, width, channels]; name one as featureLayer`);
}

function globalPool(map: tfl.SymbolicTensor): tfl.SymbolicTensor {
  return tfl.layers.globalAveragePooling2d({ name: POOL_LAYER }).apply(map) as tfl.SymbolicTensor;
}

/** Loads a saved model (no network: the project's file IO) and cuts it at its feature layer. */
export async function loadSavedBackbone(file: string, featureLayer: string | undefined): Promise<SavedBackbone> {
  const model = await tfl.loadLayersModel(fileLoadHandler(file));
  try {
    const features = tfl.model({ inputs: model.inputs, outputs: featureOutput(model, file, featureLayer), name: 'saved_features' });
    return { features, dispose: () => model.dispose() };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * The backbone of a checkpointed saved-backbone net, read from the checkpoint alone, so that a run
 * resumes without the original model file. A checkpoint holds the whole net (wholeModel in
 * run/checkpointStore.ts): the trunk's layers, then the head as one nested model, applied last.
 */
export async function loadCheckpointBackbone(modelJson: string): Promise<SavedBackbone> {
  const whole = await tfl.loadLayersModel(fileLoadHandler(modelJson));
  const features = tfl.model({ inputs: whole.inputs, outputs: whole.outputs[0].inputs[0], name: 'saved_features' });
  const head = whole.layers[whole.layers.length - 1] as tfl.LayersModel;
  return { features, head, dispose: () => whole.dispose() };
}

function copyOf(model: tfl.LayersModel): tfl.LayersModel {
  // fastWeightInit: the copy's weights are overwritten at once, so initialising them randomly
  // (costly for an ImageNet-size backbone) would be wasted.
  const copy = tfl.LayersModel.fromConfig<tfl.LayersModel>(tfl.LayersModel, model.getConfig(), {}, true);
  copy.setWeights(model.getWeights());
  return copy;
}

/**
 * A net of its own: a copy of the backbone with the saved weights, cut at `adaptAt` (by default
 * its feature layer), with a new linear head after the feature layer. Layers between `adaptAt` and
 * the feature layer (a converted network's bottleneck or dense layers) move into the head, keeping
 * their saved weights: a non-linear head, with the discriminator on the features before it.
 */
export function buildSavedNet(backbone: SavedBackbone, classes: number, adaptAt: string | undefined): SplitClassifier {
  const features = copyOf(backbone.features);
  const featureLayer = features.outputs[0].sourceLayer.name;
  if (backbone.head) {
    return { name: 'saved', trunk: features, head: copyOf(backbone.head), adaptAt: featureLayer, adaptationSize: features.outputs[0].shape[1] as number };
  }
  if (adaptAt === undefined || adaptAt === featureLayer) {
    const size = features.outputs[0].shape[1] as number;
    return { name: 'saved', trunk: features, head: linearHead(size, classes, 'saved_head'), adaptAt: featureLayer, adaptationSize: size };
  }
  const chain = layersAfter(features, adaptAt, featureLayer);
  const adaptation = features.getLayer(adaptAt).output as tfl.SymbolicTensor;
  const trunk = tfl.model({ inputs: features.inputs, outputs: adaptation, name: 'saved_trunk' });
  const adaptationSize = adaptation.shape[1] as number;
  const headInput = tfl.input({ shape: [adaptationSize], name: 'adaptation_features' });
  let x = headInput;
  for (const layer of chain) x = layer.apply(x) as tfl.SymbolicTensor;
  const logits = tfl.layers.dense({ units: classes, name: 'logits' }).apply(x) as tfl.SymbolicTensor;
  return { name: 'saved', trunk, head: tfl.model({ inputs: headInput, outputs: logits, name: 'saved_head' }), adaptAt, adaptationSize };
}

/**
 * The layers after `adaptAt` up to the feature layer, in order. They become the head, so each must
 * take exactly one input and `adaptAt` must give a [batch, features] vector: a cut through a
 * residual block or at a 4-D map is refused by name.
 */
function layersAfter(model: tfl.LayersModel, adaptAt: string, featureLayer: string): tfl.layers.Layer[] {
  const cut = model.layers.find((layer) => layer.name === adaptAt);
  if (!cut) throw new Error(`adaptAt "${adaptAt}" is not a layer before the feature layer "${featureLayer}"`);
  const shape = (cut.output as tfl.SymbolicTensor).shape;
  if (shape.length !== 2)
    throw new Error(
      `adaptAt "${adaptAt}" gives [${shape.map((size) => size ?? 'batch').join(', ')}]; adaptation features are [batch, features]: name a pooling, flatten or dense layer`,
    );
  const chain: tfl.layers.Layer[] = [];
  for (let layer = model.getLayer(featureLayer); layer.name !== adaptAt;) {
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    if (inbound.length !== 1)
      throw new Error(
        `adaptAt "${adaptAt}": the layer "${layer.name}" between it and the feature layer "${featureLayer}" takes ${inbound.length} inputs; the head must be a chain of single-input layers`,
      );
    chain.unshift(layer);
    layer = inbound[0];
    if (layer.getClassName() === 'InputLayer') throw new Error(`adaptAt "${adaptAt}" is not on the way to the feature layer "${featureLayer}"`);
  }
  return chain;
}

/** The part of a layers model.json this module reads: layer names and the input shape. */
interface LayerJson {
  name?: string;
  class_name?: string;
  config?: { name?: string; batch_input_shape?: Shape };
}
interface TopologyJson {
  class_name?: string;
  /** Keras's Sequential may be saved as a bare list of layers. */
  config?: LayerJson[] | { layers?: LayerJson[]; input_layers?: unknown[] };
  /** tensorflowjs_converter nests a Keras model's topology here. */
  model_config?: TopologyJson;
}

/** A model spec's field and what is wrong with the file it names. */
export interface SavedModelProblem {
  field: 'path' | 'featureLayer' | 'adaptAt';
  message: string;
}

/**
 * What stops `file` from serving as a backbone for imageSize x imageSize x channels images, read
 * from the model.json alone: nothing is built, so the trainer says it before any backend starts or
 * run folder exists. Which layer is the default feature layer needs the layers' output shapes, so
 * that is checked when the model loads.
 */
export async function savedModelProblems(
  file: string,
  image: { imageSize: number; channels: number },
  layerNames: { featureLayer?: string; adaptAt?: string },
): Promise<SavedModelProblem[]> {
  let json: { format?: string; modelTopology?: TopologyJson; weightsManifest?: { paths?: string[] }[] };
  try {
    json = JSON.parse(await readFile(file, 'utf8')) as typeof json;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a folder; give the model.json inside it'
          : `cannot be read as JSON: ${(error as Error).message}`;
    return [{ field: 'path', message: `${file} ${why}` }];
  }
  const notLayers = notLayersModelReason(json);
  if (notLayers) return [{ field: 'path', message: `${file}: ${notLayers}` }];
  const topology = json.modelTopology!.model_config ?? json.modelTopology!;
  const layers = Array.isArray(topology.config) ? topology.config : topology.config?.layers;
  if (!Array.isArray(layers) || layers.length === 0) return [{ field: 'path', message: `${file}: not a tfjs layers model (its topology lists no layers)` }];
  const nameOf = (layer: LayerJson) => layer.name ?? layer.config?.name;

  const problems: SavedModelProblem[] = [];
  const inputProblem = inputShapeProblem(topology, layers, nameOf, image);
  if (inputProblem) problems.push({ field: 'path', message: `${file} ${inputProblem}` });
  const missingWeights = await missingWeightFiles(file, json.weightsManifest ?? []);
  if (missingWeights.length) problems.push({ field: 'path', message: `${file} names weight files that do not exist beside it: ${missingWeights.join(', ')}` });
  const names = layers.map(nameOf).filter((name): name is string => name !== undefined);
  const listed =
    names.length > 8
      ? `its ${names.length} layers include ${[...names.slice(0, 3), '…', ...names.slice(-4)].join(', ')}`
      : `its layers are ${names.join(', ')}`;
  for (const field of ['featureLayer', 'adaptAt'] as const) {
    const name = layerNames[field];
    if (name !== undefined && !names.includes(name)) problems.push({ field, message: `${file} has no layer "${name}"; ${listed}` });
  }
  return problems;
}

/** Why the model's input does not take the experiment's images, or undefined when it does. */
function inputShapeProblem(
  topology: TopologyJson,
  layers: LayerJson[],
  nameOf: (layer: LayerJson) => string | undefined,
  image: { imageSize: number; channels: number },
): string | undefined {
  // A functional model names its input layers ([name, node, tensor] each, or one such triple); a
  // Sequential model's first layer declares the input shape.
  const declared = Array.isArray(topology.config) ? undefined : topology.config?.input_layers;
  const inputNames =
    declared === undefined ? [nameOf(layers[0])] : typeof declared[0] === 'string' ? [declared[0]] : declared.map((entry) => (entry as unknown[])[0]);
  if (inputNames.length !== 1) return `takes ${inputNames.length} inputs; a backbone takes one image`;
  const shape = layers.find((layer) => nameOf(layer) === inputNames[0])?.config?.batch_input_shape;
  if (!shape) return 'declares no input shape (batch_input_shape on its first layer), which tfjs needs to build it';
  const wanted: Shape = [null, image.imageSize, image.imageSize, image.channels];
  const fits = shape.length === 4 && shape.every((size, axis) => size === null || size === wanted[axis]);
  if (fits) return undefined;
  const dims = (sizes: Shape) =>
    sizes
      .slice(1)
      .map((size) => size ?? 'any')
      .join(' x ');
  return `takes ${shape.length === 4 ? `${dims(shape)} images` : `inputs of shape [${shape.map((size) => size ?? 'batch').join(', ')}]`}, but data.imageSize and data.channels give ${dims(wanted)}; set them to match the model${shape.length === 4 ? '' : ' (a backbone takes [batch, height, width, channels] images)'}`;
}

async function missingWeightFiles(file: string, manifest: { paths?: string[] }[]): Promise<string[]> {
  const paths = manifest.flatMap((group) => group.paths ?? []);
  const exists = await Promise.all(
    paths.map((relative) =>
      stat(path.resolve(path.dirname(file), relative)).then(
        () => true,
        () => false,
      ),
    ),
  );
  return paths.filter((_, index) => !exists[index]);
}
