import type { Experiment } from '../experiment/experiment';
import schema from '../../schemas/experiment.schema.json';
import { listOf, number, object, oneOf, optional, parseVersionedFile, recordOf, ShapeError, string, type Shape } from './jsonShape';
import { RUN_FORMAT_VERSION } from './runFolderFormat';

/** Where training stands: enough to continue on the same schedule. */
export interface TrainingPosition {
  /** 1-based epoch being trained (or just finished, when stepInEpoch = stepsPerEpoch). */
  epoch: number;
  /** Steps of `epoch` done. */
  stepInEpoch: number;
  /** Steps done since the start; the data streams are replayed to here on resume. */
  globalStep: number;
}

/** checkpoints/latest.json: the last complete checkpoint set, written only after all its files. */
export interface LatestCheckpoint extends TrainingPosition {
  version: number;
  /** role -> folder, relative to the run folder. */
  roles: Record<string, string>;
}

/** meta.json beside each checkpointed model: what it is and how to feed it. */
export interface CheckpointMeta extends TrainingPosition {
  version: number;
  role: string;
  architecture: string;
  /** Where the net is cut into trunk and head, and the adaptation features' length (older checkpoints lack both). */
  adaptAt?: string;
  adaptationSize?: number;
  /** [height, width, channels]. */
  inputShape: [number, number, number];
  classNames: string[];
  /** The data selection it was trained on, so `kd-uda eval` can rebuild the same splits. */
  data: Pick<Experiment['data'], 'root' | 'layout' | 'source' | 'targets' | 'split'> & { seed: number };
}

// The experiment schema is the one list of layouts and splits; a checkpoint records its run's.
const LAYOUTS = schema.properties.data.properties.layout.enum as readonly Experiment['data']['layout'][];
const SPLIT_KINDS = schema.properties.data.properties.split.properties.kind.enum as readonly Experiment['data']['split']['kind'][];

const position = { epoch: number, stepInEpoch: number, globalStep: number };

const latestCheckpoint: Shape<LatestCheckpoint> = object({ version: number, ...position, roles: recordOf(string) });

const inputShape: Shape<[number, number, number]> = (value, field) => {
  const shape = listOf(number)(value, field);
  if (shape.length !== 3) throw new ShapeError(field, `has ${shape.length} entries, not [height, width, channels]`);
  return [shape[0], shape[1], shape[2]];
};

const checkpointMeta: Shape<CheckpointMeta> = object({
  version: number,
  ...position,
  role: string,
  architecture: string,
  adaptAt: optional(string),
  adaptationSize: optional(number),
  inputShape,
  classNames: listOf(string),
  data: object({
    root: string,
    layout: oneOf(LAYOUTS),
    source: string,
    targets: listOf(string),
    split: object({ kind: oneOf(SPLIT_KINDS), testFraction: number }),
    seed: number,
  }),
});

export function parseLatestCheckpoint(value: unknown, file: string): LatestCheckpoint {
  return parseVersionedFile(file, value, RUN_FORMAT_VERSION, latestCheckpoint);
}

export function parseCheckpointMeta(value: unknown, file: string): CheckpointMeta {
  return parseVersionedFile(file, value, RUN_FORMAT_VERSION, checkpointMeta);
}
