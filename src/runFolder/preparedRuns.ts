import { boolean, byKind, listOf, nullable, number, object, oneOf, ShapeError, string, type Shape } from './jsonShape';
import { RUN_STATES, type RunState } from './runFolderFormat';

/** One run of a prepared experiment file: a point of its sweep (the only one without a sweep) and its run folder. */
export interface PreparedRun {
  /** 0-based, row-major over the sweep's axes as written. */
  index: number;
  /** The point's value of each axis by dotted field path; empty without a sweep. */
  point: Record<string, unknown>;
  /** Absolute. */
  runDir: string;
  /** As the folder says now: `queued` for a new one, a reused one's own state. */
  state: RunState;
  /** An existing run folder with the same resolved experiment, rather than a new one. */
  reused: boolean;
}

/**
 * What `kd-uda prepare` prints with --json and tells its launcher over the IPC channel (and what
 * `kd-uda sweep` tells it before it runs anything): every run of the experiment file, in the
 * sweep's order. `sweepId` is null for a file without a sweep.
 */
export interface PreparedRuns {
  kind: 'runs-prepared';
  sweepId: string | null;
  count: number;
  runs: PreparedRun[];
}

/** `prepare` or `sweep` refusing an experiment file (exit 2, no run folder created): every problem, one per line. */
export interface PrepareRefusal {
  kind: 'prepare-refused';
  reason: string;
}

const pointValues: Shape<Record<string, unknown>> = (value, field) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ShapeError(field, 'is not an object');
  return value as Record<string, unknown>;
};

const preparedRuns: Shape<PreparedRuns> = object({
  kind: oneOf(['runs-prepared']),
  sweepId: nullable(string),
  count: number,
  runs: listOf(object({ index: number, point: pointValues, runDir: string, state: oneOf(RUN_STATES), reused: boolean })),
});

const prepareMessage: Shape<PreparedRuns | PrepareRefusal> = byKind<PreparedRuns | PrepareRefusal>({
  'runs-prepared': preparedRuns,
  'prepare-refused': object({ kind: oneOf(['prepare-refused']), reason: string }),
});

/** The prepared runs or the refusal, when `message` is one; undefined for any other message. */
export function parsePrepareMessage(message: unknown): PreparedRuns | PrepareRefusal | undefined {
  try {
    return prepareMessage(message, '');
  } catch (error) {
    if (error instanceof ShapeError) return undefined;
    throw error;
  }
}
