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

/** Every element within `relative` times the largest expected magnitude, plus `absolute`. */
export function assertCloseAtScale(actual: Float32Array, expected: Float32Array, what: string, relative: number, absolute: number): void {
  assert.equal(actual.length, expected.length, `${what}: size`);
  const scale = Math.max(1e-6, ...expected.map(Math.abs));
  actual.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) <= relative * scale + absolute, `${what}[${i}]: ${value} vs ${expected[i]}`));
}
