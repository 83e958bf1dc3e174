/**
 * Reading a checkpoint's weights straight from model.json + weights.bin (no TensorFlow), and the
 * per-layer change between two checkpoints of one architecture: relative L2 (||a - b|| / ||a||)
 * and cosine similarity, each over all of a layer's weights together.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArchitectureRow, LayerWeightChange } from './reportFormat';

export interface NamedWeight {
  /** `<layer>/<weight>`, as tfjs names them (e.g. `conv1/kernel`). */
  name: string;
  shape: number[];
  values: Float32Array;
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype?: string;
}

interface ModelJson {
  weightsManifest?: { paths: string[]; weights: WeightSpec[] }[];
}

/** The weights of `<dir>/model.json`, in manifest order; float32 only (what the trainer saves). */
export async function readCheckpointWeights(dir: string): Promise<NamedWeight[]> {
  const modelJson = path.join(dir, 'model.json');
  let model: ModelJson;
  try {
    model = JSON.parse(await readFile(modelJson, 'utf8')) as ModelJson;
  } catch (error) {
    throw new Error(`${modelJson}: cannot read the model: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(model.weightsManifest)) throw new Error(`${modelJson}: no "weightsManifest"`);
  const weights: NamedWeight[] = [];
  for (const group of model.weightsManifest) {
    const buffers = await Promise.all(group.paths.map((relative) => readFile(path.resolve(dir, relative))));
    const bytes = Buffer.concat(buffers);
    let offset = 0;
    for (const spec of group.weights) {
      if ((spec.dtype ?? 'float32') !== 'float32')
        throw new Error(`${modelJson}: weight "${spec.name}" is ${spec.dtype}; only float32 weights can be compared`);
      const count = spec.shape.reduce((product, size) => product * size, 1);
      const end = offset + 4 * count;
      if (end > bytes.length) throw new Error(`${modelJson}: weight "${spec.name}" needs bytes ${offset}..${end} but the weights files hold ${bytes.length}`);
      // A copy: Float32Array needs 4-byte alignment, which a slice of the concatenated files may lack.
      const values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = bytes.readFloatLE(offset + 4 * i);
      weights.push({ name: spec.name, shape: spec.shape, values });
      offset = end;
    }
  }
  return weights;
}

/** The layer a weight belongs to: its name up to the last `/`. */
function layerOf(weightName: string): string {
  const slash = weightName.lastIndexOf('/');
  return slash < 0 ? weightName : weightName.slice(0, slash);
}

/** Weights grouped by layer, in first-appearance order. */
function groupByLayer(weights: readonly NamedWeight[]): { layer: string; weights: NamedWeight[] }[] {
  const groups: { layer: string; weights: NamedWeight[] }[] = [];
  for (const weight of weights) {
    const layer = layerOf(weight.name);
    const last = groups[groups.length - 1];
    if (last?.layer === layer) last.weights.push(weight);
    else groups.push({ layer, weights: [weight] });
  }
  return groups;
}

/**
 * Why two layer lists are not one architecture (the first difference, naming the layer), or
 * undefined when they have the same layer classes, output shapes and parameter counts in order.
 */
export function architectureDifference(a: readonly ArchitectureRow[], b: readonly ArchitectureRow[]): string | undefined {
  const count = Math.min(a.length, b.length);
  for (let i = 0; i < count; i++) {
    const [x, y] = [a[i], b[i]];
    if (x.className !== y.className) return `layer ${i + 1}: ${x.name} is ${x.className} in A, ${y.name} is ${y.className} in B`;
    if (x.outputShape.join('x') !== y.outputShape.join('x'))
      return `layer ${i + 1} (${x.name}): output ${x.outputShape.join('x')} in A, ${y.outputShape.join('x')} in B`;
    if (x.params !== y.params) return `layer ${i + 1} (${x.name}): ${x.params} parameters in A, ${y.params} in B`;
  }
  return a.length === b.length ? undefined : `A has ${a.length} layers, B has ${b.length}`;
}

/**
 * Per-layer change from A to B. Weights are paired by position, not name: tfjs numbers
 * auto-named layers per process, so the same architecture may carry other names in another run.
 * Throws when the weight lists do not pair up (call it only for one architecture).
 */
export function compareWeights(a: readonly NamedWeight[], b: readonly NamedWeight[]): LayerWeightChange[] {
  if (a.length !== b.length) throw new Error(`the checkpoints hold ${a.length} and ${b.length} weight tensors`);
  a.forEach((weight, i) => {
    if (weight.values.length !== b[i].values.length)
      throw new Error(`weight ${i + 1} (${weight.name}) has ${weight.values.length} values in A and ${b[i].values.length} in B`);
  });
  let index = 0;
  return groupByLayer(a).map(({ layer, weights }) => {
    let dot = 0;
    let normA = 0;
    let normB = 0;
    let normDiff = 0;
    let params = 0;
    for (const weight of weights) {
      const other = b[index++].values;
      params += weight.values.length;
      for (let i = 0; i < weight.values.length; i++) {
        const [x, y] = [weight.values[i], other[i]];
        dot += x * y;
        normA += x * x;
        normB += y * y;
        normDiff += (x - y) * (x - y);
      }
    }
    const relativeL2 = normA > 0 ? Math.sqrt(normDiff / normA) : normDiff === 0 ? 0 : null;
    const cosine = normA > 0 && normB > 0 ? dot / Math.sqrt(normA * normB) : null;
    return { layer, params, relativeL2, cosine };
  });
}
