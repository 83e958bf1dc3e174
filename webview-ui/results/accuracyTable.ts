/**
 * The Results panel's table: each model's accuracy per target, their mean and the source
 * hold-out, each with the number of test images it was measured on, a "≈ chance" marker where
 * the figure cannot be told from guessing, and each model's costs with the latency's spread.
 */
import type { EpochPoint, ResultsPanelState } from '../../src/protocol/resultsMessages';
import { chanceLevel, standardError } from '../../src/runFolder/accuracyUncertainty';
import { SOURCE_HOLDOUT } from '../../src/runFolder/runFolderFormat';
import { meanOverTargets } from '../../src/runFolder/targetAccuracy';
import { compact, percent } from '../shared/format';
import { latencyElement } from '../shared/latencyText';
import { el } from '../shared/toolkit';

export const METRICS = ['last', 'min', 'max'] as const;
export type Metric = (typeof METRICS)[number];

const points = (share: number): string => (100 * share).toFixed(1);

/** A model's accuracy on a domain over the epochs, reduced by the chosen metric. */
function reduce(history: readonly EpochPoint[], role: string, domain: string, metric: Metric): number | undefined {
  const values = history.map((point) => point.accuracy[role]?.[domain]).filter((value): value is number => typeof value === 'number');
  if (values.length === 0) return undefined;
  return metric === 'last' ? values[values.length - 1] : metric === 'min' ? Math.min(...values) : Math.max(...values);
}

/** A column's header with its image count, and a tooltip on how coarse and uncertain its figures are. */
function domainHeader(label: string, images: number | undefined): HTMLElement {
  if (images === undefined) return el('th', { scope: 'col', title: 'test images: known once the run has written results.json' }, label);
  const title = `${images} test images: one image moves an accuracy by ${points(1 / images)} points; the binomial standard error is at most ±${points(standardError(0.5, images))} points (at 50%)`;
  return el('th', { scope: 'col', title, 'data-images': String(images) }, `${label} (n=${images})`);
}

/** An accuracy cell: the figure, its standard error in the tooltip, and "≈ chance" when it is within chance's noise. */
function accuracyCell(value: number | undefined, images: number | undefined, classes: number | undefined, attributes: Record<string, string>): HTMLElement {
  const cell = el('td', { class: 'num', ...attributes }, percent(value));
  if (value === undefined || !Number.isFinite(value) || images === undefined) return cell;
  cell.title = `${percent(value)} of ${images} test images, standard error ±${points(standardError(value, images))} points`;
  const chance = classes === undefined ? undefined : chanceLevel(value, classes, images);
  if (chance?.nearChance) {
    const why = `≈ chance: ${classes} classes make guessing ${percent(chance.chance)}; on ${images} images that has a standard error of ${points(chance.standardError)} points, and ${percent(value)} is within 2 of them, so there is no evidence this model does better than guessing`;
    cell.dataset.chance = '';
    cell.append(' ', el('span', { class: 'chance-marker', tabindex: '0', title: why, 'aria-label': why }, '≈ chance'));
  }
  return cell;
}

export function accuracyTable(state: ResultsPanelState, metric: Metric): HTMLElement {
  const images = state.testImages ?? {};
  const targetImages = state.targets.every((target) => images[target] !== undefined)
    ? state.targets.reduce((sum, target) => sum + images[target], 0)
    : undefined;
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col' }, 'Model'),
    ...state.targets.map((target) => domainHeader(target, images[target])),
    el('th', { scope: 'col' }, 'Mean'),
    domainHeader('Source hold-out', images[SOURCE_HOLDOUT]),
    el('th', { scope: 'col' }, 'Params'),
    el('th', { scope: 'col' }, 'MACs/image'),
    el('th', { scope: 'col' }, 'Latency/batch'),
  );
  const rows = state.rows.map((row) => {
    const values = state.targets.map((target) => reduce(state.history, row.role, target, metric));
    const mean = meanOverTargets(Object.fromEntries(state.targets.map((target, i) => [target, values[i]])), state.targets);
    const meanCell = accuracyCell(mean, targetImages, state.classes, { 'data-role': row.role, 'data-mean': '' });
    meanCell.classList.add('mean');
    return el(
      'tr',
      {},
      el('th', { scope: 'row' }, row.role),
      ...values.map((value, i) => accuracyCell(value, images[state.targets[i]], state.classes, { 'data-role': row.role, 'data-target': state.targets[i] })),
      meanCell,
      accuracyCell(reduce(state.history, row.role, SOURCE_HOLDOUT, metric), images[SOURCE_HOLDOUT], state.classes, {
        'data-role': row.role,
        'data-holdout': '',
      }),
      el('td', { class: 'num' }, compact(row.parameters)),
      el('td', { class: 'num' }, compact(row.macsPerImage)),
      el('td', { class: 'num', 'data-role': row.role, 'data-latency': '' }, latencyElement(row)),
    );
  });
  const baselineRows = state.baselines.map((baseline) =>
    el(
      'tr',
      { class: 'baseline' },
      el('th', { scope: 'row', title: `the last epoch of run ${baseline.runId}` }, baseline.label, el('span', { class: 'run-id' }, baseline.runId)),
      ...state.targets.map((target) => el('td', { class: 'num', 'data-baseline': baseline.label, 'data-target': target }, percent(baseline.targets[target]))),
      el('td', { class: 'num mean', 'data-baseline': baseline.label, 'data-mean': '' }, percent(baseline.meanTarget)),
      el('td', { class: 'num' }, '–'),
      el('td', { class: 'num' }, compact(baseline.parameters)),
      el('td', { class: 'num' }, compact(baseline.macsPerImage)),
      el('td', { class: 'num' }, '–'),
    ),
  );
  const baselineBody = baselineRows.length
    ? [
        el(
          'tbody',
          { class: 'baselines' },
          el(
            'tr',
            {},
            el('th', { scope: 'rowgroup', colspan: String(state.targets.length + 6) }, 'Baselines: other runs on the same data, at their last epoch'),
          ),
          ...baselineRows,
        ),
      ]
    : [];
  const caption =
    metric === 'last'
      ? 'Top-1 accuracy at the last epoch: the headline, chosen without target labels.'
      : `Top-1 accuracy, ${metric} over epochs. ${metric === 'max' ? 'The max picks epochs with target labels: an oracle, not a result.' : ''}`;
  return el('table', { id: 'results-table' }, el('caption', {}, caption), el('thead', {}, head), el('tbody', {}, ...rows), ...baselineBody);
}
