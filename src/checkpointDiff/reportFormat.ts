/**
 * The checkpoint diff report (`kd-uda diff` writes it, the Checkpoint Diff panel reads it). Pure
 * types and validation, no Node or `vscode` imports, so the webview bundle can import them too.
 * A report names its `version`; readers refuse newer ones by name rather than guess.
 */
import { isRecord } from '../util/isRecord';

import type { LatencySpread } from '../runFolder/inferenceLatency';
import { RunFileError } from '../runFolder/jsonShape';

/** 2 added `representations`; a version-1 report is read as one without them. */
export const CHECKPOINT_DIFF_VERSION = 2;

/** One layer of a checkpoint's model, nested models flattened. */
export interface ArchitectureRow {
  name: string;
  className: string;
  /** Without the batch dimension. */
  outputShape: number[];
  params: number;
}

export interface CheckpointCost {
  parameters: number;
  macsPerImage: number;
  /** model.json + weights.bin. */
  checkpointBytes: number;
  /** Median wall time of one inference batch on `backend`. */
  latencyMsPerBatch: number;
  latencyBatchSize: number;
  /** Spread and count of the timed batches: absent in reports of older trainers, which timed 5 batches. */
  latencySpread?: LatencySpread;
  backend: string;
}

/** One of the two checkpoints compared: what it is and what it costs. */
export interface CheckpointSide {
  dir: string;
  /** The run folder's name, when the checkpoint sits in a run folder. */
  runId?: string;
  /** role and checkpoint folder, e.g. `student epoch-3`. */
  label: string;
  role: string;
  architecture: string;
  epoch: number;
  stepInEpoch: number;
  inputShape: number[];
  layers: ArchitectureRow[];
  cost: CheckpointCost;
}

/** How one model did on one domain. */
export interface ModelOnDomain {
  accuracy: number;
  /** null for a class without images. */
  perClass: (number | null)[];
  /** confusion[true][predicted]. */
  confusion: number[][];
}

/** Both models on one evaluation domain, and how their predictions relate. */
export interface DomainDiff {
  name: string;
  kind: 'target' | 'source-holdout';
  images: number;
  a: ModelOnDomain;
  b: ModelOnDomain;
  /** accuracy(A) - accuracy(B). */
  accuracyDelta: number;
  /** Fraction of images where both predict the same class. */
  agreement: number;
  /** Mean KL(softmax(A) || softmax(B)) over the images, in nats (temperature 1). */
  klAB: number;
  /** Mean KL(softmax(B) || softmax(A)): the distillation direction when B is the teacher. */
  klBA: number;
}

/** Per-layer weight change from A to B (same architecture only). */
export interface LayerWeightChange {
  layer: string;
  params: number;
  /** ||A - B|| / ||A|| over the layer's weights; null when ||A|| = 0 and B differs. */
  relativeL2: number | null;
  /** Cosine between the layer's weights; null when either is all zeros. */
  cosine: number | null;
}

/**
 * The images the representation figures are computed on: a seeded draw from each evaluation
 * domain (in `domains` order), the same images for both checkpoints.
 */
export interface RepresentationSample {
  seed: number;
  domains: { name: string; kind: 'target' | 'source-holdout'; drawn: number; of: number }[];
  /** Per image drawn: the index of its domain in `domains`, and its true class. */
  domain: number[];
  label: number[];
}

/** A 2-D embedding of one checkpoint's adaptation features, one point per sampled image. */
export interface Embedding2d {
  method: 'pca' | 'umap';
  x: number[];
  y: number[];
  /** PCA: the share of the features' variance along each axis. */
  explainedVariance?: [number, number];
}

/**
 * Proxy A-distance between the source hold-out and one target (Ben-David et al. 2010):
 * 2(1 − 2ε), ε the held-out error of a linear domain classifier on the adaptation features.
 */
export interface ProxyADistance {
  target: string;
  aDistance: number;
  /** The classifier's error on the held-out half. */
  error: number;
  /** Images per domain it was trained on, and tested on. */
  trainImages: number;
  testImages: number;
}

/** What one checkpoint's adaptation features show. */
export interface SideRepresentation {
  /** The layer whose output the features are (the cut into trunk and head). */
  layer: string;
  features: number;
  embeddings: Embedding2d[];
  /** One per target, in `domains` order; empty when the run has no source hold-out. */
  aDistance: ProxyADistance[];
}

/** Linear CKA (Kornblith et al. 2019) between every layer of A and every layer of B on the sampled images. */
export interface LayerSimilarity {
  images: number;
  layersA: string[];
  layersB: string[];
  /** cka[i][j]: A's layer i against B's layer j, in [0, 1]. */
  cka: number[][];
}

export interface RepresentationFigures {
  sample: RepresentationSample;
  a: SideRepresentation;
  b: SideRepresentation;
  similarity: LayerSimilarity;
}

export interface CheckpointDiffReport {
  version: number;
  createdAt: string;
  backend: string;
  classNames: string[];
  /** The data both checkpoints were evaluated on: checkpoint A's run's selection. */
  data: { root: string; source: string; targets: string[]; split: { kind: string; testFraction?: number } };
  a: CheckpointSide;
  b: CheckpointSide;
  /** `difference` says why the layer lists differ, when they do. */
  architecture: { same: boolean; difference?: string };
  /** The targets (in the run's order), then the source hold-out. */
  domains: DomainDiff[];
  /** Present when the architectures are the same. */
  weights?: LayerWeightChange[];
  /** Absent from version-1 reports, written before the figures existed. */
  representations?: RepresentationFigures;
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isString = (value: unknown): value is string => typeof value === 'string';

const isNumberList = (value: unknown, length?: number): value is number[] =>
  Array.isArray(value) && (length === undefined || value.length === length) && value.every(isNumber);
const isIndexList = (value: unknown, length: number, bound: number): boolean =>
  isNumberList(value, length) && value.every((index) => Number.isInteger(index) && index >= 0 && index < bound);

/** What is wrong with a report's `representations`, so a panel can draw every point it names. */
function representationProblems(figures: unknown, classes: number): string[] {
  if (!isRecord(figures)) return ['representations must be an object'];
  const problems: string[] = [];
  const need = (ok: boolean, field: string, what: string) => {
    if (!ok) problems.push(`representations.${field} must be ${what}`);
  };
  const sample = figures.sample;
  const domains = isRecord(sample) && Array.isArray(sample.domains) ? sample.domains : undefined;
  need(
    !!domains && domains.every((domain) => isRecord(domain) && isString(domain.name) && isNumber(domain.drawn) && isNumber(domain.of)),
    'sample.domains',
    'a list of {name, kind, drawn, of}',
  );
  const images = isRecord(sample) && Array.isArray(sample.domain) ? sample.domain.length : 0;
  need(isRecord(sample) && isIndexList(sample.domain, images, domains?.length ?? 0), 'sample.domain', 'a domain index per image');
  need(isRecord(sample) && isIndexList(sample.label, images, classes), 'sample.label', `a class index per image (${images})`);
  for (const side of ['a', 'b'] as const) {
    const value = figures[side];
    if (!isRecord(value)) {
      problems.push(`representations.${side} must be an object`);
      continue;
    }
    need(isString(value.layer) && isNumber(value.features), `${side}.layer/features`, 'a layer name and a feature count');
    need(
      Array.isArray(value.embeddings) &&
        value.embeddings.every(
          (embedding) =>
            isRecord(embedding) &&
            (embedding.method === 'pca' || embedding.method === 'umap') &&
            isNumberList(embedding.x, images) &&
            isNumberList(embedding.y, images),
        ),
      `${side}.embeddings`,
      `a list of {method, x, y} with ${images} points each`,
    );
    need(
      Array.isArray(value.aDistance) &&
        value.aDistance.every((row) => isRecord(row) && isString(row.target) && isNumber(row.aDistance) && isNumber(row.error) && isNumber(row.testImages)),
      `${side}.aDistance`,
      'a list of {target, aDistance, error, trainImages, testImages}',
    );
  }
  const similarity = figures.similarity;
  const layersA = isRecord(similarity) && Array.isArray(similarity.layersA) && similarity.layersA.every(isString) ? similarity.layersA : undefined;
  const layersB = isRecord(similarity) && Array.isArray(similarity.layersB) && similarity.layersB.every(isString) ? similarity.layersB : undefined;
  need(
    isRecord(similarity) &&
      !!layersA &&
      !!layersB &&
      Array.isArray(similarity.cka) &&
      similarity.cka.length === layersA.length &&
      similarity.cka.every((row) => isNumberList(row, layersB.length)),
    'similarity',
    'layersA, layersB and a layersA × layersB matrix cka',
  );
  return problems;
}

/** The fields a panel relies on, as `field: problem` strings; empty when the report is usable. */
function reportProblems(report: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, field: string, what: string) => {
    if (!ok) problems.push(`${field} must be ${what}`);
  };
  need(Array.isArray(report.classNames) && report.classNames.every(isString), 'classNames', 'a list of strings');
  for (const side of ['a', 'b'] as const) {
    const value = report[side];
    if (!isRecord(value)) {
      problems.push(`${side} must be an object`);
      continue;
    }
    need(isString(value.label) && isString(value.dir) && isString(value.role), `${side}.label/dir/role`, 'strings');
    need(
      Array.isArray(value.layers) && value.layers.every((row) => isRecord(row) && isString(row.name) && isNumber(row.params)),
      `${side}.layers`,
      'a list of {name, params}',
    );
    need(isRecord(value.cost) && isNumber(value.cost.parameters), `${side}.cost`, 'an object with parameters');
    if (isRecord(value.cost) && value.cost.latencySpread !== undefined) {
      const spread = value.cost.latencySpread;
      need(
        isRecord(spread) && isNumber(spread.q1Ms) && isNumber(spread.q3Ms) && isNumber(spread.batches) && typeof spread.noisy === 'boolean',
        `${side}.cost.latencySpread`,
        'an object with q1Ms, q3Ms, batches and noisy',
      );
    }
  }
  need(isRecord(report.architecture) && typeof report.architecture.same === 'boolean', 'architecture', 'an object with a boolean "same"');
  if (!Array.isArray(report.domains)) problems.push('domains must be a list');
  else {
    report.domains.forEach((domain, i) => {
      const ok =
        isRecord(domain) &&
        isString(domain.name) &&
        isNumber(domain.agreement) &&
        isNumber(domain.klAB) &&
        isNumber(domain.klBA) &&
        isRecord(domain.a) &&
        isRecord(domain.b) &&
        isNumber(domain.a.accuracy) &&
        isNumber(domain.b.accuracy) &&
        Array.isArray(domain.a.confusion) &&
        Array.isArray(domain.b.confusion);
      need(ok, `domains[${i}]`, 'a domain comparison (name, agreement, klAB, klBA, a and b with accuracy and confusion)');
    });
  }
  if (report.weights !== undefined)
    need(
      Array.isArray(report.weights) && report.weights.every((row) => isRecord(row) && isString(row.layer)),
      'weights',
      'a list of {layer, relativeL2, cosine}',
    );
  if (report.representations !== undefined)
    problems.push(...representationProblems(report.representations, Array.isArray(report.classNames) ? report.classNames.length : 0));
  return problems;
}

/**
 * The report in `value` (parsed JSON), or an error naming `file` and what is wrong: a newer
 * format version, or the fields that are missing or of the wrong type.
 */
export function parseCheckpointDiffReport(value: unknown, file: string): CheckpointDiffReport | RunFileError {
  if (!isRecord(value)) return new RunFileError(file, 'field', `${file}: not a checkpoint diff report (expected a JSON object)`);
  if (!isNumber(value.version)) return new RunFileError(file, 'field', `${file}: not a checkpoint diff report (no numeric "version")`);
  if (value.version > CHECKPOINT_DIFF_VERSION) {
    return new RunFileError(
      file,
      'version',
      `${file} was written by a newer KD-UDA Lab (diff format ${value.version}; this one reads up to ${CHECKPOINT_DIFF_VERSION}). Update the extension, or compute the diff again.`,
    );
  }
  const problems = reportProblems(value);
  if (problems.length) return new RunFileError(file, 'field', `${file}: not a usable checkpoint diff report: ${problems.join('; ')}`);
  return value as unknown as CheckpointDiffReport;
}
