/** What the data pipeline hands the trainer, and what it tells it about bad data. */

/** Where one image's pixels come from. */
export type ImageSource =
  | { kind: 'file'; path: string }
  /** Image `index` of an IDX images file that was read whole (see idxReader). */
  | { kind: 'idx'; images: IdxImages; index: number };

/** An IDX images file in memory: `count` images of rows x columns unsigned bytes, one after another. */
export interface IdxImages {
  path: string;
  count: number;
  rows: number;
  columns: number;
  pixels: Uint8Array;
}

export interface Sample {
  source: ImageSource;
  /** Index into the dataset's class names. */
  label: number;
  /** Names the sample in messages, caches and batches: the file path, or `<idx file>#<index>`. */
  key: string;
}

/** One domain's samples, split for training and evaluation. */
export interface DomainSplits {
  name: string;
  train: Sample[];
  test: Sample[];
}

/** A batch ready for the model: NHWC float32, normalised. */
export interface Batch {
  images: Float32Array;
  labels: Int32Array;
  shape: [n: number, height: number, width: number, channels: number];
  /** Sample keys, in batch order (evaluation batches carry them, for per-image reports). */
  paths?: string[];
}

export type DataProblemCode =
  /** An image that could not be decoded: skipped, counted, and never tried again. */
  | 'corrupt-image'
  /** An image whose first bytes are no format the decoder reads, found before training; skipped like a corrupt one when reached. */
  | 'undecodable-image'
  /** A problem the dataset scan found that does not stop training (a bad list-file line, an empty class in a target). */
  | 'dataset-warning';

/** Goes into the run's events: the trainer writes one event per problem. */
export interface DataProblem {
  code: DataProblemCode;
  message: string;
  domain?: string;
  path?: string;
  line?: number;
}

export type DataProblemSink = (problem: DataProblem) => void;
