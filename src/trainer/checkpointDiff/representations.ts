import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerSimilarity, RepresentationFigures, RepresentationSample, SideRepresentation } from '../../checkpointDiff/reportFormat';
import type { CheckpointMeta } from '../../runFolder/checkpointFiles';
import type { DataLoader } from '../data/dataLoader';
import type { Sample } from '../data/samples';
import { deriveSeed, SeededRandom } from '../data/seededRandom';
import { pca2, umap2, type FeatureRows } from './embedding';
import { centredGram, linearCka } from './layerSimilarity';
import { proxyADistance } from './proxyADistance';
import { INFERENCE_BATCH_SIZE } from './checkpointSide';

/** Images drawn per domain unless asked otherwise: enough for a stable A-distance, few enough for UMAP in seconds. */
export const DEFAULT_SAMPLE_PER_DOMAIN = 300;
/** Images CKA is computed on, spread over the domains: its Gram matrices are this squared. */
const CKA_IMAGES = 500;
/** Activations held at once while computing Gram matrices. */
const ACTIVATION_BUDGET_BYTES = 256 << 20;
/** Layers that only reshape or pass their input through at inference: their CKA repeats a neighbour's. */
const PASS_THROUGH = new Set(['InputLayer', 'Dropout', 'Flatten', 'Reshape']);

export interface EvaluationDomain {
  name: string;
  kind: 'target' | 'source-holdout';
  /** The data pipeline's name for it (the source's name for the hold-out). */
  domain: string;
  samples: readonly Sample[];
}

/** One model and how to feed it. */
export interface RepresentationSide {
  model: tfl.LayersModel;
  meta: CheckpointMeta;
  loader: DataLoader;
}

interface Probe {
  name: string;
  /** In the outer model's graph, or (head) in the head's own graph. */
  output: tfl.SymbolicTensor;
  inHead: boolean;
  size: number;
}

const sizeOf = (tensor: tfl.SymbolicTensor): number => tensor.shape.slice(1).reduce<number>((product, dim) => product * (dim ?? 1), 1);
const firstOutput = (layer: tfl.layers.Layer): tfl.SymbolicTensor => (Array.isArray(layer.output) ? layer.output[0] : layer.output);

/**
 * The classifier head (the nested model a checkpoint ends in) and where the adaptation features
 * are: the head's input, or for a checkpoint without a nested head the layer its meta names.
 */
function adaptationSplit(model: tfl.LayersModel, meta: CheckpointMeta): { head?: tfl.LayersModel; features: tfl.SymbolicTensor; layer: string } {
  const head = [...model.layers].reverse().find((layer): layer is tfl.LayersModel => layer instanceof tfl.LayersModel);
  const named = meta.adaptAt ? model.layers.find((layer) => layer.name === meta.adaptAt) : undefined;
  if (named) return { head, features: firstOutput(named), layer: named.name };
  // A nested model's first node is its own construction; the last is where the outer model applies it.
  const applied = head?.inboundNodes[head.inboundNodes.length - 1]?.inputTensors[0];
  if (head && applied) return { head, features: applied, layer: applied.sourceLayer.name };
  throw new Error(`${meta.role}: the checkpoint records no adaptation layer and has no classifier head to find it by`);
}

/** Every layer worth comparing, in order: the trunk's, then the head's. */
function probesOf(model: tfl.LayersModel, head: tfl.LayersModel | undefined): Probe[] {
  const probe = (layer: tfl.layers.Layer, inHead: boolean): Probe[] => {
    if (PASS_THROUGH.has(layer.getClassName()) || (layer === head && !inHead)) return [];
    const output = firstOutput(layer);
    return [{ name: layer.name, output, inHead, size: sizeOf(output) }];
  };
  return [...model.layers.flatMap((layer) => probe(layer, false)), ...(head ? head.layers.flatMap((layer) => probe(layer, true)) : [])];
}

/** A seeded draw of up to `perDomain` evaluation images from each domain. */
function drawSample(domains: readonly EvaluationDomain[], perDomain: number, seed: number): Sample[][] {
  return domains.map(({ name, samples }) => {
    const random = new SeededRandom(deriveSeed(seed, 'representation-sample', name));
    return random.shuffle([...samples]).slice(0, perDomain);
  });
}

/** The first rows of each domain's draw, `CKA_IMAGES` in all, spread evenly. */
function ckaSubset(drawn: readonly Sample[][]): Sample[][] {
  const each = Math.ceil(CKA_IMAGES / Math.max(1, drawn.length));
  return drawn.map((samples) => samples.slice(0, each));
}

/** Runs `outputs` (symbolic tensors of the side's model) over the images, each output's activations flattened to one row per image. */
async function collect(
  side: RepresentationSide,
  drawn: readonly Sample[][],
  domains: readonly EvaluationDomain[],
  outputs: tfl.SymbolicTensor[],
): Promise<{ rows: FeatureRows[]; labels: number[]; keys: string[]; domainOf: number[] }> {
  const probeModel = tfl.model({ inputs: side.model.inputs, outputs });
  const chunks: Float32Array[][] = outputs.map(() => []);
  const labels: number[] = [];
  const keys: string[] = [];
  // An image the pipeline cannot decode is left out of its batch, so rows are counted as they come.
  const domainOf: number[] = [];
  for (const [index, samples] of drawn.entries()) {
    for await (const batch of side.loader.evalBatches(samples, INFERENCE_BATCH_SIZE, domains[index].domain)) {
      labels.push(...batch.labels);
      keys.push(...(batch.paths ?? []));
      domainOf.push(...batch.labels.map(() => index));
      const values = tf.tidy(() => {
        const result = probeModel.predict(tf.tensor4d(batch.images, batch.shape));
        return (Array.isArray(result) ? result : [result]).map((tensor) => tensor.dataSync() as Float32Array);
      });
      values.forEach((value, i) => chunks[i].push(value));
    }
  }
  const rows = outputs.map((output, i) => {
    const d = sizeOf(output);
    const values = new Float32Array(labels.length * d);
    let offset = 0;
    for (const chunk of chunks[i]) {
      values.set(chunk, offset);
      offset += chunk.length;
    }
    return { values, n: labels.length, d };
  });
  return { rows, labels, keys, domainOf };
}

/** The centred Gram matrix of every probe on the CKA images (trunk, then head), a few layers at a time to bound memory. */
async function probeGrams(
  side: RepresentationSide,
  probes: Probe[],
  head: tfl.LayersModel | undefined,
  features: tfl.SymbolicTensor,
  drawn: Sample[][],
  domains: readonly EvaluationDomain[],
): Promise<{ grams: Float64Array[]; keys: string[] }> {
  const images = drawn.reduce((sum, samples) => sum + samples.length, 0);
  const gram = (values: tf.Tensor) => {
    const rows = tf.reshape<tf.Rank.R2>(values, [values.shape[0], -1]);
    try {
      return centredGram(rows);
    } finally {
      rows.dispose();
    }
  };
  const trunkGrams: Float64Array[] = [];
  let headGrams: Float64Array[] = [];
  let keys: string[] | undefined;
  const headProbes = probes.filter((probe) => probe.inHead);
  const groups = budgetGroups(
    probes.filter((probe) => !probe.inHead),
    images,
  );
  if (!groups.length) groups.push([]);
  for (const group of groups) {
    // The head's layers are fed the adaptation features, collected with the first group.
    const withFeatures = headProbes.length > 0 && keys === undefined;
    const outputs = group.map((probe) => probe.output);
    // A model may not list one output twice, and the features are often a probe's own output.
    const featureIndex = withFeatures ? (outputs.includes(features) ? outputs.indexOf(features) : outputs.push(features) - 1) : -1;
    const collected = await collect(side, drawn, domains, outputs);
    keys = collected.keys;
    for (const rows of collected.rows.slice(0, group.length)) {
      const tensor = tf.tensor2d(rows.values, [rows.n, rows.d]);
      trunkGrams.push(centredGram(tensor));
      tensor.dispose();
    }
    if (withFeatures && head) {
      const rows = collected.rows[featureIndex];
      const headModel = tfl.model({ inputs: head.inputs, outputs: headProbes.map((probe) => probe.output) });
      const input = tf.tensor2d(rows.values, [rows.n, rows.d]);
      const result = headModel.predict(input);
      const outputsOfHead = Array.isArray(result) ? result : [result];
      headGrams = outputsOfHead.map(gram);
      tf.dispose([input, ...outputsOfHead]);
    }
  }
  return { grams: [...trunkGrams, ...headGrams], keys: keys ?? [] };
}

/** Consecutive probes whose activations for `images` images fit the budget together (at least one each). */
function budgetGroups(probes: Probe[], images: number): Probe[][] {
  const groups: Probe[][] = [];
  let bytes = 0;
  for (const probe of probes) {
    const size = probe.size * images * 4;
    if (!groups.length || bytes + size > ACTIVATION_BUDGET_BYTES) {
      groups.push([]);
      bytes = 0;
    }
    groups[groups.length - 1].push(probe);
    bytes += size;
  }
  return groups;
}

/**
 * What the two checkpoints' representations show on a seeded sample of every evaluation domain:
 * each one's adaptation features embedded in 2-D (PCA and UMAP), the proxy A-distance from the
 * source hold-out to each target on those features, and linear CKA between every layer of A and
 * every layer of B.
 */
export async function compareRepresentations(
  a: RepresentationSide,
  b: RepresentationSide,
  domains: readonly EvaluationDomain[],
  options: { perDomain: number; seed: number },
  progress: (message: string) => void,
): Promise<RepresentationFigures> {
  const drawn = drawSample(domains, options.perDomain, options.seed);
  const describe = async (side: RepresentationSide, name: 'A' | 'B') => {
    const { head, features, layer } = adaptationSplit(side.model, side.meta);
    progress(`${name}: adaptation features (${layer}) of ${drawn.reduce((sum, samples) => sum + samples.length, 0)} sampled images`);
    const collected = await collect(side, drawn, domains, [features]);
    const rows = collected.rows[0];
    const domainOf = collected.domainOf;
    const byDomain = domains.map((_, index): FeatureRows => {
      const picked = domainOf.flatMap((domain, row) => (domain === index ? [row] : []));
      const values = new Float32Array(picked.length * rows.d);
      picked.forEach((row, i) => values.set(rows.values.subarray(row * rows.d, (row + 1) * rows.d), i * rows.d));
      return { values, n: picked.length, d: rows.d };
    });
    const source = byDomain[domains.findIndex((domain) => domain.kind === 'source-holdout')];
    const aDistance =
      !source || source.n < 4
        ? []
        : domains.flatMap((domain, index) =>
            domain.kind === 'target' && byDomain[index].n >= 4 ? [proxyADistance(source, byDomain[index], options.seed, domain.name)] : [],
          );
    progress(`${name}: PCA and UMAP of ${rows.n} points in ${rows.d} dimensions`);
    const embeddings = rows.n >= 3 ? [pca2(rows, options.seed), umap2(rows, options.seed)] : [];
    progress(`${name}: linear CKA over its layers`);
    const probes = probesOf(side.model, head);
    const { grams, keys: ckaKeys } = await probeGrams(side, probes, head, features, ckaSubset(drawn), domains);
    const representation: SideRepresentation = { layer, features: rows.d, embeddings, aDistance };
    return { representation, labels: collected.labels, keys: collected.keys, domainOf, probes, grams, ckaKeys };
  };
  const sideA = await describe(a, 'A');
  const sideB = await describe(b, 'B');
  if (sideA.keys.join('\n') !== sideB.keys.join('\n') || sideA.ckaKeys.join('\n') !== sideB.ckaKeys.join('\n'))
    throw new Error('the two checkpoints were fed different sampled images');
  const sample: RepresentationSample = {
    seed: options.seed,
    domains: domains.map(({ name, kind, samples }, index) => ({ name, kind, drawn: drawn[index].length, of: samples.length })),
    domain: sideA.domainOf,
    label: sideA.labels,
  };
  const similarity: LayerSimilarity = {
    images: sideA.ckaKeys.length,
    layersA: sideA.probes.map((probe) => probe.name),
    layersB: sideB.probes.map((probe) => probe.name),
    cka: sideA.grams.map((gramA) => sideB.grams.map((gramB) => linearCka(gramA, gramB))),
  };
  return { sample, a: sideA.representation, b: sideB.representation, similarity };
}
