/**
 * A latency figure as the panels show it: the median per batch with its spread and count
 * ("12.3 ms ± 1.1 (median of 40 batches)"), a "noisy" marker where the batches' times spread
 * widely, and a tooltip saying what was timed. Results, Checkpoint Diff and Compare Runs use it, so
 * one figure reads the same everywhere.
 */
import { LATENCY_PLAN, NOISY_SPREAD, type LatencySpread } from '../../src/runFolder/inferenceLatency';
import { el } from './dom';

export interface LatencyFigure {
  latencyMsPerBatch?: number;
  latencyBatchSize?: number;
  latencySpread?: LatencySpread;
}

const ms = (value: number): string => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));

const NOISY_EXPLANATION = `noisy: the middle half of the timed batches spans more than ${Math.round(100 * NOISY_SPREAD)}% of the median, so the machine was busy or the backend varies; do not compare this figure closely, measure again on an idle machine`;

/** What the spread cannot say: it is within one measurement, and the machine's load may differ from one to the next. */
const BETWEEN_MEASUREMENTS = 'The spread is within this measurement: another run, timed while the machine was more or less busy, can differ by more than it';

/** The figure's text and tooltip, and whether it is noisy; '–' without a figure. */
export function describeLatency(figure: LatencyFigure): { text: string; title: string; noisy: boolean } {
  const { latencyMsPerBatch: median, latencyBatchSize: batchSize, latencySpread: spread } = figure;
  if (median === undefined || !Number.isFinite(median)) return { text: '–', title: 'no latency recorded', noisy: false };
  const batch = batchSize === undefined ? 'one batch' : `one batch of ${batchSize} images`;
  if (!spread)
    return {
      text: `${ms(median)} ms`,
      title: `Median wall time of ${batch}, spread unknown: written by an older trainer, which timed only 5 batches`,
      noisy: false,
    };
  const halfRange = (spread.q3Ms - spread.q1Ms) / 2;
  return {
    text: `${ms(median)} ms ± ${ms(halfRange)} (median of ${spread.batches} batches)`,
    title:
      `Median wall time of ${batch} over ${spread.batches} timed batches, after ${LATENCY_PLAN.warmUpBatches} untimed warm-up batches; ` +
      `the middle half took ${ms(spread.q1Ms)}–${ms(spread.q3Ms)} ms (± is half that range)` +
      (spread.noisy ? `. ${NOISY_EXPLANATION}` : `. ${BETWEEN_MEASUREMENTS}`),
    noisy: spread.noisy,
  };
}

/** A per-image median's spread, as Compare Runs' ms/image column shows it: "± 0.02 (40 batches)", a tooltip, and the noisy marker where it applies. */
export function perImageSpread(spread: LatencySpread): Node[] {
  const title =
    `Median per image over ${spread.batches} timed batches, after ${LATENCY_PLAN.warmUpBatches} untimed warm-up batches; ` +
    `the middle half took ${spread.q1Ms.toPrecision(3)}–${spread.q3Ms.toPrecision(3)} ms per image (± is half that range). ${BETWEEN_MEASUREMENTS}`;
  const nodes: Node[] = [
    el('span', { class: 'latency-spread', title }, ` ± ${Number(((spread.q3Ms - spread.q1Ms) / 2).toPrecision(2))} (${spread.batches} batches)`),
  ];
  if (spread.noisy)
    nodes.push(
      document.createTextNode(' '),
      el('span', { class: 'noisy-marker', tabindex: '0', title: NOISY_EXPLANATION, 'aria-label': NOISY_EXPLANATION }, 'noisy'),
    );
  return nodes;
}

/** The figure as an inline element: its text, and a focusable "noisy" marker whose tooltip says why. */
export function latencyElement(figure: LatencyFigure): HTMLElement {
  const { text, title, noisy } = describeLatency(figure);
  const element = el('span', { class: 'latency', title }, text);
  if (noisy) element.append(' ', el('span', { class: 'noisy-marker', tabindex: '0', title: NOISY_EXPLANATION, 'aria-label': NOISY_EXPLANATION }, 'noisy'));
  return element;
}
