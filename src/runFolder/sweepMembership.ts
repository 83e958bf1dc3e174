import { isRecord } from '../util/isRecord';
import { RUN_FORMAT_VERSION } from './runFolderFormat';
import { number, object, parseVersionedFile, RunFileError, ShapeError, string, type Shape } from './jsonShape';

/**
 * sweep.json: the sweep a run belongs to, written when the run folder is prepared (`kd-uda
 * prepare`, `kd-uda sweep`) and never changed by the trainer. The Runs view groups a sweep's runs
 * by its id; Compare Runs reads the point's values.
 */
export interface SweepMembership {
  version: number;
  /** `<name>-<8 hex>` (src/experiment/sweep.ts, sweepIdOf): the same each time the sweep file runs. */
  sweepId: string;
  /** This run's point, 0-based, row-major over the sweep's axes as written. */
  index: number;
  /** How many points the sweep has. */
  count: number;
  /** The point's value of every axis, by dotted field path (`method.name`, `seed`). */
  point: Record<string, unknown>;
}

/** A point number: a whole number, not below 0. */
const pointNumber: Shape<number> = (value, field) => {
  const checked = number(value, field);
  if (!Number.isInteger(checked) || checked < 0) throw new ShapeError(field, 'is not a whole number of 0 or more');
  return checked;
};

/** Any JSON value by field path: the point's values are whatever the sweep file gave. */
const pointValues: Shape<Record<string, unknown>> = (value, field) => {
  if (!isRecord(value)) throw new ShapeError(field, 'is not an object');
  return value;
};

const nonEmptyString: Shape<string> = (value, field) => {
  if (string(value, field) === '') throw new ShapeError(field, 'is empty');
  return value as string;
};

const sweepMembership: Shape<SweepMembership> = object({
  version: number,
  sweepId: nonEmptyString,
  index: pointNumber,
  count: pointNumber,
  point: pointValues,
});

export function parseSweepMembership(value: unknown, file: string): SweepMembership {
  const membership = parseVersionedFile(file, value, RUN_FORMAT_VERSION, sweepMembership);
  if (membership.index >= membership.count) {
    throw new RunFileError(file, 'field', `${file}: index ${membership.index} is not a point of a sweep of ${membership.count}`);
  }
  return membership;
}
