import assert from 'node:assert/strict';

/**
 * `size` pseudo-random values in [low, high) from a seeded linear congruential generator, so a
 * failing comparison names a reproducible case.
 */
export function seededValues(size: number, seed: number, low: number, high: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: size }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32) * (high - low) + low;
  });
}

export interface Tolerance {
  /** A share of the largest expected magnitude. */
  relative?: number;
  absolute?: number;
}

/**
 * The project's one closeness check: every element of `actual` within `absolute + relative *
 * (largest expected magnitude)` of `expected`, for single numbers and arrays alike. The relative
 * part is measured against the largest magnitude, not each element's own, because float32 error
 * grows with the biggest values a computation sums. A missing value (null, undefined) or NaN is
 * never close.
 */
export function assertClose(
  actual: number | null | undefined | ArrayLike<number>,
  expected: number | ArrayLike<number>,
  tolerance: Tolerance,
  what = 'value',
): void {
  assert.ok(actual !== null && actual !== undefined, `${what}: missing, expected ${typeof expected === 'number' ? expected : Array.from(expected).join(',')}`);
  const got = typeof actual === 'number' ? [actual] : Array.from(actual);
  const want = typeof expected === 'number' ? [expected] : Array.from(expected);
  assert.equal(got.length, want.length, `${what}: size`);
  const scale = want.reduce((largest, value) => Math.max(largest, Math.abs(value)), 1e-6);
  const allowed = (tolerance.relative ?? 0) * scale + (tolerance.absolute ?? 0);
  got.forEach((value, i) => {
    const where = typeof expected === 'number' ? what : `${what}[${i}]`;
    assert.ok(Math.abs(value - want[i]) <= allowed, `${where}: ${value} is not within ${allowed} of ${want[i]}`);
  });
}

/**
 * The gradient of `loss` at `values` by central differences, `step` either side of each element:
 * what an analytic gradient is checked against.
 */
export function centralDifferenceGradient(loss: (values: Float32Array) => number, values: Float32Array, step: number): Float32Array {
  return values.map((_, i) => {
    const plus = Float32Array.from(values);
    const minus = Float32Array.from(values);
    plus[i] += step;
    minus[i] -= step;
    return (loss(plus) - loss(minus)) / (2 * step);
  });
}
