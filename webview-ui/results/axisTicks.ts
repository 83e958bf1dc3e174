/**
 * The axes of the Results panel's curves: which values they span, where their ticks go and how the
 * ticks and the hovered values are written. A tick's label shows every decimal its step has (a
 * 6.5% tick never reads "7%"), so a point is never drawn on the wrong side of the label it is read
 * against; values are written as the results table writes them (accuracy in % with one decimal).
 * Pure (no DOM), so that plain Node tests check it.
 */
import { formatPercentTick, linearAxis, type Axis } from '../../src/runComparison/plotAxes';
import { percent } from '../shared/format';

/** What a chart's values are: each kind has its axis title, its ticks and its way of writing a value. */
export type ValueKind = 'accuracy' | 'loss' | 'weight';

export interface ValueScale {
  /** The y axis title, with its unit. */
  title: string;
  /** The axis over these values (non-finite ones ignored). */
  axis(values: readonly number[]): Axis;
  /** A tick's label, given the spacing of the axis's ticks. */
  tick(value: number, step: number): string;
  /** A value as the legend writes it. */
  value(value: number | null | undefined): string;
}

/** Round steps for the epoch axis, in epochs: never a fraction of one. */
const EPOCH_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000];
/** About this many ticks on an axis. */
const TICKS = 5;

/** Digits after the decimal point of a step (0.25 -> 2, 5 -> 0), floating-point noise (0.07 - 0.065) ignored. */
function stepDecimals(step: number): number {
  return (String(Number(step.toPrecision(6))).split('.')[1] ?? '').length;
}

/** A plain number with the decimals its axis's step needs; a true minus sign, and no "−0". */
export function tickText(value: number, step: number): string {
  const text = value.toFixed(stepDecimals(step));
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text.replace('-', '−');
}

/** The spacing of an axis's ticks (1 when it has a single tick). */
export function tickStep(axis: Axis): number {
  return axis.ticks.length > 1 ? axis.ticks[1] - axis.ticks[0] : 1;
}

/** A loss value with three significant digits (0.0308, 0.348, 1.23), or one decimal from 100 up. */
export function lossText(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return (Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(3)).replace('-', '−');
}

function finiteRange(values: readonly number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  return finite.length ? [Math.min(...finite), Math.max(...finite)] : [Number.NaN, Number.NaN];
}

export const VALUE_SCALES: Readonly<Record<ValueKind, ValueScale>> = {
  accuracy: {
    title: 'accuracy (%)',
    axis: (values) => linearAxis(...finiteRange(values), { count: TICKS, bounds: [0, 1], flatPad: 0.01 }),
    tick: formatPercentTick,
    value: percent,
  },
  loss: {
    title: 'loss',
    // A loss that is never negative keeps its axis at or above 0.
    axis: (values) => {
      const [min, max] = finiteRange(values);
      return linearAxis(min, max, { count: TICKS, bounds: [min >= 0 ? 0 : -Infinity, Infinity], flatPad: Math.abs(max) * 0.05 || 0.05 });
    },
    tick: tickText,
    value: lossText,
  },
  weight: {
    title: 'β (0–1)',
    axis: (values) => linearAxis(...finiteRange(values), { count: TICKS, bounds: [0, 1], flatPad: 0.05 }),
    tick: tickText,
    value: (value) => (value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(3)),
  },
};

/**
 * The epoch axis from the first epoch to the last, ticks at whole epochs 1, 2, 5, 10... apart; a
 * single epoch gets half an epoch either side, so that its point is not drawn on the axis.
 */
export function epochAxis(first: number, last: number): Axis {
  if (!(last > first)) return { domain: [first - 0.5, first + 0.5], ticks: [first] };
  const step = EPOCH_STEPS.find((candidate) => (last - first) / candidate <= TICKS) ?? 10 ** Math.ceil(Math.log10((last - first) / TICKS));
  const ticks: number[] = [];
  for (let epoch = Math.ceil(first / step) * step; epoch <= last; epoch += step) ticks.push(epoch);
  return { domain: [first, last], ticks };
}
