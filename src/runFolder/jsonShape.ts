/**
 * Checks parsed JSON against the shape a run-folder file promises, so that a reader gets a typed
 * value or a message naming the file and the field that does not fit (`results.json:
 * headline.accuracy.student.usps is not a number`), never a cast. Pure (no Node or DOM APIs): the
 * webviews import the formats built on it.
 */

/** A field that does not fit its shape; `field` is its path in the document (`losses.ce`, `targets[1]`). */
export class ShapeError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field || 'the document'} ${problem}`);
  }
}

/** A checked value of type T, or a ShapeError naming where in `value` it is not one. */
export type Shape<T> = (value: unknown, field: string) => T;

/** A field an object may leave out. */
export interface OptionalField<T> {
  readonly optional: Shape<T>;
}

export function optional<T>(shape: Shape<T>): OptionalField<T> {
  return { optional: shape };
}

const at = (field: string, key: string): string => (field ? `${field}.${key}` : key);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON has no NaN or Infinity: a number that is not finite was never written by the trainer. */
export const number: Shape<number> = (value, field) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ShapeError(field, 'is not a number');
  return value;
};

export const string: Shape<string> = (value, field) => {
  if (typeof value !== 'string') throw new ShapeError(field, 'is not a string');
  return value;
};

export const boolean: Shape<boolean> = (value, field) => {
  if (typeof value !== 'boolean') throw new ShapeError(field, 'is not true or false');
  return value;
};

export function oneOf<const T extends string>(values: readonly T[]): Shape<T> {
  return (value, field) => {
    if (!(values as readonly unknown[]).includes(value)) throw new ShapeError(field, `must be one of ${values.join(', ')}`);
    return value as T;
  };
}

export function nullable<T>(shape: Shape<T>): Shape<T | null> {
  return (value, field) => (value === null ? null : shape(value, field));
}

export function listOf<T>(item: Shape<T>): Shape<T[]> {
  return (value, field) => {
    if (!Array.isArray(value)) throw new ShapeError(field, 'is not a list');
    value.forEach((entry, index) => item(entry, `${field}[${index}]`));
    return value as T[];
  };
}

/** An object used as a map: any keys, every value of one shape. */
export function recordOf<T>(entry: Shape<T>): Shape<Record<string, T>> {
  return (value, field) => {
    if (!isObject(value)) throw new ShapeError(field, 'is not an object');
    for (const [key, item] of Object.entries(value)) entry(item, at(field, key));
    return value as Record<string, T>;
  };
}

type Fields = Record<string, Shape<unknown> | OptionalField<unknown>>;
type RequiredKeys<F extends Fields> = { [K in keyof F]: F[K] extends OptionalField<unknown> ? never : K }[keyof F];
type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K] extends OptionalField<unknown> ? K : never }[keyof F];
type Checked<F extends Fields> = { [K in RequiredKeys<F>]: F[K] extends Shape<infer T> ? T : never } & {
  [K in OptionalKeys<F>]?: F[K] extends OptionalField<infer T> ? T : never;
};

/**
 * An object with these fields (others are left as they are: a reader uses what it knows). The
 * value is returned itself, not copied, once every field has been checked.
 */
export function object<F extends Fields>(fields: F): Shape<Checked<F>> {
  return (value, field) => {
    if (!isObject(value)) throw new ShapeError(field, 'is not an object');
    for (const [key, check] of Object.entries(fields)) {
      const entry = value[key];
      if (typeof check === 'function') {
        if (entry === undefined) throw new ShapeError(at(field, key), 'is missing');
        check(entry, at(field, key));
      } else if (entry !== undefined) {
        check.optional(entry, at(field, key));
      }
    }
    return value as Checked<F>;
  };
}

/** The members of union T whose `kind` may be K. */
type OfKind<T, K> = T extends { kind: infer Kinds } ? (K extends Kinds ? T : never) : never;

/** One value of a union told apart by its `kind`, checked against that kind's shape. */
export function byKind<T extends { kind: string }>(shapes: { [K in T['kind']]: Shape<OfKind<T, K>> }): Shape<T> {
  return (value, field) => {
    if (!isObject(value)) throw new ShapeError(field, 'is not an object');
    const kind = string(value.kind, at(field, 'kind'));
    if (!Object.hasOwn(shapes, kind)) throw new ShapeError(at(field, 'kind'), `"${kind}" is not one this KD-UDA Lab knows`);
    return shapes[kind as T['kind']](value, field);
  };
}

/** Why a run-folder file cannot be read: gone, not JSON, from a newer format, or a field that does not fit. */
export type RunFileProblem = 'missing' | 'syntax' | 'version' | 'field';

export class RunFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: RunFileProblem,
    message: string,
  ) {
    super(message);
    this.name = 'RunFileError';
  }
}

/**
 * The whole of a versioned file: the version is checked first, since a newer format may not have
 * the shape this build knows, and is refused by name rather than misread.
 */
export function parseVersionedFile<T>(file: string, value: unknown, newest: number, shape: Shape<T>): T {
  try {
    const version = isObject(value) ? value.version : undefined;
    if (typeof version === 'number' && version > newest) {
      throw new RunFileError(
        file,
        'version',
        `${file} was written by a newer KD-UDA Lab: format version ${version}; this KD-UDA Lab reads up to ${newest}. Update the extension.`,
      );
    }
    return shape(value, '');
  } catch (error) {
    if (error instanceof ShapeError) throw new RunFileError(file, 'field', `${file}: ${error.message}`);
    throw error;
  }
}
