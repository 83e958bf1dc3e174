/**
 * The checkpoint diff report (`kd-uda diff` writes it, the Checkpoint Diff panel reads it). Pure
 * types and validation, no Node or `vscode` imports, so the webview bundle can import them too.
 * A report names its `version`; readers refuse newer ones by name rather than guess.
 */
import { isRecord } from '../util/isRecord';

import { RunFileError } from '../runFolder/jsonShape';

export const CHECKPOINT_DIFF_VERSION = 1;

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
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isString = (value: unknown): value is string => typeof value === 'string';

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
