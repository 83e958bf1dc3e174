/**
 * An experiment file (`*.kdexp.json`) once validated, with every default filled in: what the
 * trainer runs and what a run folder records as `experiment.json`. The JSON Schema in
 * schemas/experiment.schema.json is the single description of fields and defaults.
 */

export type MethodName = 'source-only' | 'dann' | 'kd-stda' | 'kd-mtda' | 'mt-mtda' | 'online-kd';
export type Architecture = 'lenet5' | 'resnet-small' | 'resnet-wide' | 'saved';
export type DiscriminatorSetting =
  'auto' | 'dann-digits' | 'dann-office' | 'authors-resnet' | { hidden: number[]; batchNorm?: boolean; dropout?: number; weightDecay?: number };
export type BackendName = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface ModelSpec {
  architecture: Architecture;
  width: number;
  depth?: number;
  /** Architecture `saved`: its model.json, relative to the experiment file (absolute once read by the trainer). */
  path?: string;
  /** Architecture `saved`: the layer whose output is the feature vector (see the schema for the default). */
  featureLayer?: string;
  /** The layer the trunk ends at: the UDA loss and discriminators read its output (left out: the architecture's default). */
  adaptAt?: string;
  warmStart?: string;
}

/** A teacher layer and the student layer distilled toward it. */
export interface FeatureLayerPair {
  teacher: string;
  student: string;
}

/** Distillation from hidden layers, added to the logit KD terms of kd-stda, kd-mtda and mt-mtda. */
export interface FeatureDistillationSetting {
  /** Attention transfer (Zagoruyko & Komodakis 2017) or hint regression (FitNets, Romero et al. 2015). */
  loss: 'attention' | 'hint';
  /** Filled in by validation when left out: 1000 for attention (the AT paper's beta), 1 for hint. */
  weight: number;
  /** `beta`: scaled by the epoch's beta as the logit KD terms are; `constant`: the weight throughout. */
  schedule: 'beta' | 'constant';
  /** Left out: the last feature map of each stage (featureMapLayers.ts). */
  layers?: FeatureLayerPair[];
}

export interface Experiment {
  version: 1;
  name: string;
  description?: string;
  data: {
    root: string;
    layout: 'auto' | 'imagefolder' | 'office31' | 'listfile' | 'idx';
    source: string;
    targets: string[];
    imageSize: number;
    channels: 1 | 3;
    split: { kind: 'all' | 'holdout' | 'folders'; testFraction: number };
    augment: { randomResizedCrop: boolean; horizontalFlip: boolean };
  };
  teacher: ModelSpec;
  student: ModelSpec;
  method: {
    name: MethodName;
    model: 'teacher' | 'student';
    udaLoss: 'dann' | 'mmd';
    temperature: number;
    alpha: number;
    beta: { start: number; end: number };
    gamma: number;
    kdDirection: 'teacher-to-student' | 'student-to-teacher';
    discriminator?: DiscriminatorSetting;
    /** Deprecated: one hidden layer of this size then batch norm, what older experiments ran. */
    discriminatorHidden?: number;
    /** The student's adversarial term in the KD methods: the usual two-domain DANN term, or target samples only. */
    studentAdversarial: 'two-domain' | 'target-only';
    /** online-kd: the student's branches over its shared trunk (K >= 2); filled in (3) for online-kd only. */
    branches?: number;
    /** online-kd: the student's layer after which the branches split (left out: the architecture's default, see branchPoints.ts). */
    branchAt?: string;
  };
  optimizer: {
    name: 'sgd' | 'adam';
    teacherLr: number;
    studentLr: number;
    momentum: number;
    weightDecay: number;
    /** Learning-rate annealing `lr0 / (1 + 10 p)^0.75` from progress per step (DANN paper) or per epoch (the KD authors' code). */
    lrSchedule: 'per-step' | 'per-epoch';
  };
  epochs: number;
  batchSize: number;
  /** Left out: one pass over the source's training images. */
  stepsPerEpoch?: number;
  seed: number;
  backend: BackendName;
  kd?: { features?: FeatureDistillationSetting };
  /** Which epochs' checkpoints a run keeps besides the latest: every `keepEvery`-th and the last (0: the latest only). */
  checkpoints: { keepEvery: number };
}
