import type { LatencySpread } from './inferenceLatency';
import { boolean, listOf, nullable, number, object, optional, parseVersionedFile, recordOf, string, type Shape } from './jsonShape';
import { RUN_FORMAT_VERSION } from './runFolderFormat';
import type { AccuracyByModel } from './targetAccuracy';

/** What a model costs at inference: the denominator of accuracy per unit of cost. */
export interface ModelCost {
  parameters: number;
  /** Multiply-accumulates per image, from the layers' shapes (convolutions and dense layers). */
  macsPerImage: number;
  /** model.json + weights.bin of its last checkpoint. */
  checkpointBytes?: number;
  /** Median wall time of one inference batch on the backend used. */
  latencyMsPerBatch: number;
  latencyBatchSize: number;
  /** How spread the timed batches were and how many: absent in runs of older trainers, which timed 5 batches. */
  latencySpread?: LatencySpread;
  backend: string;
}

/** One epoch's evaluation: accuracy[model][domain], domains being the targets and the source hold-out. */
export interface EpochScores {
  epoch: number;
  accuracy: AccuracyByModel;
  /** Mean prediction entropy (nats) per model and domain: a label-free signal. */
  entropy: AccuracyByModel;
}

/** One model's epoch as chosen by a rule, and what it scored there. */
export interface Selection {
  /** Says how the epoch was chosen; an "oracle" used target labels. */
  label: string;
  epoch: number;
  accuracy: Record<string, number>;
  meanTarget: number;
}

/** The last epoch, chosen without looking at any label. */
export interface Headline {
  label: string;
  epoch: number;
  accuracy: AccuracyByModel;
  meanTarget: Record<string, number>;
}

/** results.json: written once, when a run is done. */
export interface RunResults {
  version: number;
  method: string;
  backend: string;
  classNames: string[];
  targets: string[];
  headline: Headline;
  /** Per model, the epoch with the best mean target test accuracy: selected WITH target labels. */
  oracle: Record<string, Selection>;
  /** Per model, the epoch with the best source hold-out accuracy: no target label used. */
  labelFree: Record<string, Selection>;
  /** Per model, the epoch with the most confident target predictions (lowest mean entropy): no target label used. */
  labelFreeEntropy: Record<string, Selection>;
  history: EpochScores[];
  /** perClass[model][domain][class]: null for a class without images. */
  perClass: Record<string, Record<string, (number | null)[]>>;
  /** confusion[model][domain][true][predicted]. */
  confusion: Record<string, Record<string, number[][]>>;
  costs: Record<string, ModelCost>;
  /** Test images per evaluated domain (targets and the source hold-out): each accuracy moves in steps of 1/n. Absent in older runs (their confusion matrices sum to it). */
  testImages?: Record<string, number>;
}

/** accuracy[model][domain], as eval events and results.json hold it. */
export const accuracyByModel: Shape<AccuracyByModel> = recordOf(recordOf(number));

const epochScores: Shape<EpochScores> = object({ epoch: number, accuracy: accuracyByModel, entropy: accuracyByModel });

export const headline: Shape<Headline> = object({ label: string, epoch: number, accuracy: accuracyByModel, meanTarget: recordOf(number) });

const selection: Shape<Selection> = object({ label: string, epoch: number, accuracy: recordOf(number), meanTarget: number });

export const latencySpread: Shape<LatencySpread> = object({ q1Ms: number, q3Ms: number, batches: number, noisy: boolean });

const modelCost: Shape<ModelCost> = object({
  parameters: number,
  macsPerImage: number,
  checkpointBytes: optional(number),
  latencyMsPerBatch: number,
  latencyBatchSize: number,
  latencySpread: optional(latencySpread),
  backend: string,
});

const runResults: Shape<RunResults> = object({
  version: number,
  method: string,
  backend: string,
  classNames: listOf(string),
  targets: listOf(string),
  headline,
  oracle: recordOf(selection),
  labelFree: recordOf(selection),
  labelFreeEntropy: recordOf(selection),
  history: listOf(epochScores),
  perClass: recordOf(recordOf(listOf(nullable(number)))),
  confusion: recordOf(recordOf(listOf(listOf(number)))),
  costs: recordOf(modelCost),
  testImages: optional(recordOf(number)),
});

export function parseRunResults(value: unknown, file: string): RunResults {
  return parseVersionedFile(file, value, RUN_FORMAT_VERSION, runResults);
}
