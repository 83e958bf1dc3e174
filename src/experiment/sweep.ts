import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonicalJson';
import { isRecord } from '../util/isRecord';

/**
 * An experiment file's `sweep`: axes named by dotted field path (`"method.name"`, `"seed"`), each
 * a list of values, expanded as a grid in row-major order of the axes as written (the first axis
 * changes slowest). Each point is the file with `sweep` removed and each of its values set at its
 * path.
 *
 * A path names fields of objects only: it never indexes into a list (`data.targets.0` is refused),
 * so a list is swept whole (`"data.targets": [["mnist-photo"], ["font-digits"]]`). A value,
 * object or list included, replaces the field whole; it is not merged into what the file has
 * there. Fields on the way that the file leaves out are created.
 */

/** Fields no axis may set: the sweep itself, where runs execute (which changes no result) and the format's version. */
const UNSWEEPABLE: Record<string, string> = {
  sweep: 'a sweep cannot sweep itself',
  executor: 'where runs execute changes no result, so it is set once for the whole sweep, not swept',
  version: 'the file format version is not a setting',
};

export interface SweepAxis {
  /** As written: `method.name`. */
  path: string;
  segments: string[];
  values: unknown[];
}

export interface SweepPoint {
  /** 0-based, row-major over the axes as written. */
  index: number;
  /** The point's value of every axis, by path, in the axes' order; empty for a file without a sweep. */
  values: Record<string, unknown>;
  /** The experiment document of this point: the file without `sweep`, the values set. */
  document: unknown;
}

export interface SweepExpansion {
  /** None for a file without a sweep. */
  axes: SweepAxis[];
  points: SweepPoint[];
}

/** Something wrong with the sweep itself, placed on its JSON path in the file. */
export interface SweepProblem {
  segments: (string | number)[];
  message: string;
  /** The JSON Schema says this too, so editors report it themselves. */
  inSchema: boolean;
}

export type SweepResult = { ok: true; expansion: SweepExpansion } | { ok: false; problems: SweepProblem[]; base: unknown };

/** The document without its sweep: what every point starts from. */
function withoutSweep(document: unknown): unknown {
  if (!isRecord(document) || !Object.hasOwn(document, 'sweep')) return document;
  const { sweep: _sweep, ...rest } = document;
  return rest;
}

function axesOf(sweep: unknown): { axes: SweepAxis[]; problems: SweepProblem[] } {
  if (!isRecord(sweep)) {
    return {
      axes: [],
      problems: [{ segments: ['sweep'], message: 'must be an object of dotted field paths, each with a list of values ("seed": [0, 1, 2])', inSchema: true }],
    };
  }
  const problems: SweepProblem[] = [];
  const axes: SweepAxis[] = [];
  const entries = Object.entries(sweep);
  if (entries.length === 0) problems.push({ segments: ['sweep'], message: 'names no axis: add one ("seed": [0, 1, 2]) or remove sweep', inSchema: true });
  for (const [name, values] of entries) {
    const segments = name.split('.');
    if (segments.some((segment) => segment === '')) {
      problems.push({
        segments: ['sweep', name],
        message: `"${name}" is no field path: give field names joined by dots, as in "optimizer.studentLr"`,
        inSchema: false,
      });
    } else if (Object.hasOwn(UNSWEEPABLE, segments[0])) {
      problems.push({ segments: ['sweep', name], message: `"${name}" cannot be swept: ${UNSWEEPABLE[segments[0]]}`, inSchema: false });
    }
    if (!Array.isArray(values) || values.length === 0) {
      problems.push({ segments: ['sweep', name], message: 'must be a non-empty list of the values to run', inSchema: true });
      continue;
    }
    const seen = new Map<string, number>();
    values.forEach((value, index) => {
      const key = canonicalJson(value);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, index);
      else problems.push({ segments: ['sweep', name, index], message: `repeats value ${first + 1} of "${name}": each point would run twice`, inSchema: true });
    });
    axes.push({ path: name, segments, values });
  }
  // One field set by two axes (`method` and `method.name`) would have the later one silently win.
  for (const axis of axes) {
    const covering = axes.find(
      (other) => other !== axis && other.segments.length < axis.segments.length && other.segments.every((s, i) => s === axis.segments[i]),
    );
    if (covering)
      problems.push({
        segments: ['sweep', axis.path],
        message: `overlaps the axis "${covering.path}", which sets all of ${covering.path}: sweep one or the other`,
        inSchema: false,
      });
  }
  return { axes, problems };
}

/** Where setting `segments` in `document` fails: a field on the way that is there but is no object, and what it is. */
function blockedAt(document: unknown, segments: readonly string[]): { path: string; value: unknown } | undefined {
  let node = document;
  for (let depth = 0; depth < segments.length - 1; depth++) {
    if (!isRecord(node)) return undefined; // the document itself is no object: validation says so
    node = node[segments[depth]];
    if (node === undefined) return undefined;
    if (!isRecord(node)) return { path: segments.slice(0, depth + 1).join('.'), value: node };
  }
  return undefined;
}

function describeValue(value: unknown): string {
  return Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`;
}

/** Sets `value` at `segments`, creating the objects on the way (blockedAt has ruled out anything else there). */
function setAt(document: Record<string, unknown>, segments: readonly string[], value: unknown): void {
  let node = document;
  for (const segment of segments.slice(0, -1)) {
    const next = node[segment];
    if (isRecord(next)) node = next;
    else node = node[segment] = {};
  }
  node[segments[segments.length - 1]] = value;
}

/**
 * The points of an experiment document: one with no values for a file without `sweep`, else the
 * grid of its axes. Problems with the sweep itself (its shape, a path that cannot be set) come
 * back all at once, with `base`, the document without its sweep, for the rest to be checked on.
 */
export function expandSweep(document: unknown): SweepResult {
  const base = withoutSweep(document);
  if (!isRecord(document) || !Object.hasOwn(document, 'sweep')) {
    return { ok: true, expansion: { axes: [], points: [{ index: 0, values: {}, document: structuredClone(base) }] } };
  }
  const { axes, problems } = axesOf(document.sweep);
  for (const axis of axes) {
    const blocked = blockedAt(base, axis.segments);
    if (blocked === undefined) continue;
    problems.push({
      segments: ['sweep', axis.path],
      message: `cannot set "${axis.path}": ${blocked.path} is ${describeValue(blocked.value)}, not an object of fields; an axis sets a whole field (sweep a list whole, as in "data.targets": [["a"], ["b"]])`,
      inSchema: false,
    });
  }
  if (problems.length > 0) return { ok: false, problems, base };
  const points: SweepPoint[] = [];
  const count = axes.reduce((product, axis) => product * axis.values.length, 1);
  for (let index = 0; index < count; index++) {
    const values: Record<string, unknown> = {};
    const pointDocument = structuredClone(base) as Record<string, unknown>;
    // Row-major: the last axis changes fastest.
    let rest = index;
    const chosen = axes
      .slice()
      .reverse()
      .map((axis) => {
        const value = axis.values[rest % axis.values.length];
        rest = Math.floor(rest / axis.values.length);
        return value;
      })
      .reverse();
    axes.forEach((axis, at) => {
      values[axis.path] = chosen[at];
      setAt(pointDocument, axis.segments, structuredClone(chosen[at]));
    });
    points.push({ index, values, document: pointDocument });
  }
  return { ok: true, expansion: { axes, points } };
}

/**
 * `<name>-<8 hex>`: the same for the same sweep however its file is laid out (the hash is of the
 * canonical JSON of the document without `sweep`, `executor` and `checkpoints`, and of the axes in
 * their order), so running a sweep file again continues the sweep under its id. Where runs execute
 * and which checkpoints they keep change no result, so they are left out: a sweep started locally
 * and continued on a cluster, or keeping fewer epochs, is one sweep.
 */
export function sweepIdOf(name: string, document: unknown, axes: readonly SweepAxis[]): string {
  const base = withoutSweep(document);
  const { executor: _executor, checkpoints: _checkpoints, ...settings } = isRecord(base) ? base : {};
  const hash = createHash('sha256')
    .update(canonicalJson({ base: settings, axes: axes.map((axis) => [axis.path, axis.values]) }))
    .digest('hex');
  return `${name}-${hash.slice(0, 8)}`;
}

/** `method.name=kd-stda, seed=0`: a point as people read it (strings bare, long values cut). */
export function describePointValues(values: Record<string, unknown>): string {
  return Object.entries(values)
    .map(([path, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return `${path}=${text.length > 40 ? `${text.slice(0, 39)}…` : text}`;
    })
    .join(', ');
}
