/**
 * Axes of Compare Runs' accuracy-versus-cost plot: a logarithmic cost axis (costs span decades)
 * whose ticks sit at round values (10k, 100k, 1M; 2 and 5 between them on a short range), a linear
 * accuracy axis in percent, and the numbers as the plot writes them. Pure (no DOM, no Node).
 */

export interface Axis {
  /** The values at the two ends of the axis, low first. */
  domain: [number, number];
  /** Where labelled ticks go, ascending, all within the domain. */
  ticks: number[];
  /** A log axis's unlabelled ticks between its decades (2 to 9 times each), when it spans few enough to show them. */
  minor?: number[];
}

/** The most ticks a log axis labels: beyond it, every other decade (or every third...). */
const MAX_LOG_TICKS = 8;
/** Up to this many decades, a log axis also marks 2 to 9 times each: the uneven spacing says it is logarithmic. */
const MAX_MINOR_DECADES = 4;
/** Room around the extreme points, as a share of the span (of its log for the cost axis). */
const PADDING = 0.05;

/** m × 10^k written so that 2 × 10^-2 is 0.02, not 0.020000000000000004. */
const tickValue = (mantissa: number, exponent: number): number => Number(`${mantissa}e${exponent}`);

/** Every m × 10^k (m in `mantissas`) within [low, high], ascending. */
function roundValuesWithin(low: number, high: number, mantissas: readonly number[]): number[] {
  const values: number[] = [];
  for (let exponent = Math.floor(Math.log10(low)) - 1; exponent <= Math.ceil(Math.log10(high)); exponent++) {
    for (const mantissa of mantissas) {
      const value = tickValue(mantissa, exponent);
      if (value >= low && value <= high) values.push(value);
    }
  }
  return values;
}

const DIGITS = [1, 2, 3, 4, 5, 6, 7, 8, 9];

/** The largest d × 10^k (d a digit) at or below `value`, and the smallest at or above. */
function roundBelow(value: number): number {
  const exponent = Math.floor(Math.log10(value));
  return (
    [...DIGITS]
      .reverse()
      .map((digit) => tickValue(digit, exponent))
      .find((candidate) => candidate <= value) ?? tickValue(1, exponent)
  );
}
function roundAbove(value: number): number {
  const exponent = Math.floor(Math.log10(value));
  return [...DIGITS, 10].map((digit) => tickValue(digit, exponent)).find((candidate) => candidate >= value) ?? tickValue(1, exponent + 1);
}

/**
 * A logarithmic axis over positive values (others are ignored; none gives undefined): the values'
 * range padded a little, with ticks at the decades within it, every other (or third) decade when
 * there are too many, and 2 and 5 between them when the range spans too few decades for two ticks.
 * A range too short for two such ticks (one value, or 400k to 460k) widens to the round values
 * around it, so every axis has at least two labelled ticks to read a position by.
 */
export function logAxis(values: readonly number[]): Axis | undefined {
  const positive = values.filter((value) => Number.isFinite(value) && value > 0);
  if (positive.length === 0) return undefined;
  let low = Math.min(...positive);
  let high = Math.max(...positive);
  const pad = Math.max(Math.log10(high / low) * PADDING, 0.02);
  low /= 10 ** pad;
  high *= 10 ** pad;
  const decades = roundValuesWithin(low, high, [1]);
  if (decades.length >= 2) {
    const every = Math.ceil(decades.length / MAX_LOG_TICKS);
    // Thinned by exponent, so the ticks kept are the same decades whatever the range's ends.
    const ticks = decades.filter((value) => Math.round(Math.log10(value)) % every === 0);
    return decades.length <= MAX_MINOR_DECADES + 1
      ? { domain: [low, high], ticks, minor: roundValuesWithin(low, high, DIGITS.slice(1)) }
      : { domain: [low, high], ticks };
  }
  for (const mantissas of [[1, 2, 5], DIGITS]) {
    const ticks = roundValuesWithin(low, high, mantissas);
    if (ticks.length >= 2) return { domain: [low, high], ticks };
  }
  // Too short a range (one value, or a few close ones): out to the round values on either side.
  const domain: [number, number] = [roundBelow(low), roundAbove(high)];
  return { domain, ticks: roundValuesWithin(domain[0], domain[1], DIGITS) };
}

/** Steps a linear axis may take, times a power of ten. */
const LINEAR_STEPS = [1, 2, 2.5, 5, 10];

/**
 * A linear axis over [min, max] with about `count` ticks at round steps (1, 2, 2.5 or 5 × 10^k),
 * its ends the round values around the range (a flat range is widened by `flatPad` either way),
 * kept within `bounds` (accuracy: 0 to 1).
 */
export function linearAxis(min: number, max: number, { count = 5, bounds = [-Infinity, Infinity], flatPad = 0.05 } = {}): Axis {
  let low = min;
  let high = max;
  if (!(Number.isFinite(low) && Number.isFinite(high))) [low, high] = [0, 1];
  if (high - low <= 0) [low, high] = [low - flatPad, high + flatPad];
  const padding = (high - low) * PADDING;
  low = Math.max(bounds[0], low - padding);
  high = Math.min(bounds[1], high + padding);
  const rough = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = (LINEAR_STEPS.find((candidate) => candidate * power >= rough) ?? 10) * power;
  // Rounded to the step so that 0.6 stays 0.6 (not 0.6000000000000001); the domain ends on ticks.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  const round = (value: number) => Number(value.toFixed(decimals));
  const first = Math.floor(low / step + 1e-9);
  const last = Math.ceil(high / step - 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(round(k * step));
  return { domain: [ticks[0], ticks[ticks.length - 1]], ticks };
}

/** Where `value` falls on an axis drawn from `from` (at the domain's low end) to `to`, in pixels. */
export function logScale(axis: Axis, from: number, to: number): (value: number) => number {
  const [low, high] = axis.domain.map(Math.log10);
  return (value) => from + ((Math.log10(value) - low) / (high - low)) * (to - from);
}

export function linearScale(axis: Axis, from: number, to: number): (value: number) => number {
  const [low, high] = axis.domain;
  return (value) => from + ((value - low) / (high - low)) * (to - from);
}

const SI_PREFIXES: readonly [number, string][] = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/**
 * A count as the plot writes it: SI prefix, at most one decimal, no trailing `.0` (651,706 is
 * `651.7k`, 1,000,000 is `1M`, 200,000 `200k`); below 1,000 up to 3 significant digits (`0.05`).
 */
export function formatSi(value: number): string {
  const magnitude = Math.abs(value);
  for (const [size, prefix] of SI_PREFIXES) {
    // 999,960 rounds to 1000k: it is written 1M.
    if (magnitude >= size * 0.99995) return `${Number((value / size).toFixed(1))}${prefix}`;
  }
  return String(Number(value.toPrecision(3)));
}

/** A tick of the accuracy axis (0..1) in percent, with the decimals its step needs: `60%` in steps of 5, `62.5%` in steps of 2.5. */
export function formatPercentTick(value: number, step: number): string {
  const decimals = (String(Number((step * 100).toPrecision(6))).split('.')[1] ?? '').length;
  return `${(value * 100).toFixed(decimals)}%`;
}
