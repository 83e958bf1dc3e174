import schema from '../../schemas/experiment.schema.json';
import { listOf, number, object, optional, parseVersionedFile, string, type Shape } from './jsonShape';

/**
 * experiment.json: the experiment as the trainer resolved it when the run started (every default
 * filled, see src/experiment/experiment.ts). A run of another trainer version may lack fields or
 * have others, and Compare Runs shows whatever is there, so this types only the fields that readers
 * of run folders use, each checked when present; the rest stays in the value, untyped. The
 * trainer, resuming a run, checks the whole with the experiment validator.
 */
export interface RunExperiment {
  version?: number;
  name?: string;
  data?: {
    root?: string;
    layout?: string;
    source?: string;
    targets?: string[];
    imageSize?: number;
    channels?: number;
    split?: { kind?: string; testFraction?: number };
  };
  method?: { name?: string; model?: string };
  optimizer?: { lrSchedule?: string };
  seed?: number;
}

const runExperiment: Shape<RunExperiment> = object({
  version: optional(number),
  name: optional(string),
  data: optional(
    object({
      root: optional(string),
      layout: optional(string),
      source: optional(string),
      targets: optional(listOf(string)),
      imageSize: optional(number),
      channels: optional(number),
      split: optional(object({ kind: optional(string), testFraction: optional(number) })),
    }),
  ),
  method: optional(object({ name: optional(string), model: optional(string) })),
  optimizer: optional(object({ lrSchedule: optional(string) })),
  seed: optional(number),
});

/** The experiment file format's own version (the schema's), not the run folder's. */
const EXPERIMENT_FORMAT_VERSION = schema.properties.version.const;

export function parseRunExperiment(value: unknown, file: string): RunExperiment {
  return parseVersionedFile(file, value, EXPERIMENT_FORMAT_VERSION, runExperiment);
}
