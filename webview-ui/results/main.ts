// First import: its top level marks the bundle starting to run (see phases.ts).
import { markPaintedAfterThisFrame, markPhase } from '../shared/phases';
import type { EpochPoint, HostToResultsPanel, ResultsPanelPersistedState, ResultsPanelState, ResultsPanelToHost } from '../../src/protocol/resultsMessages';
import { meanOverTargets } from '../../src/runFolder/targetAccuracy';
import { connect } from '../shared/connect';
import { radioGroup } from '../shared/dom';
import { compact, percent } from '../shared/format';
import { button, el } from '../shared/toolkit';
import { curveCharts } from './curveCharts';
import { curvesSection } from './lineChart';
import { progressElement, showProgress } from './progressLine';

markPhase('script');

const METRICS = ['last', 'min', 'max'] as const;
type Metric = (typeof METRICS)[number];

markPhase('ready');
const host = connect<HostToResultsPanel, ResultsPanelToHost, ResultsPanelPersistedState>({
  snapshot: ({ state }) => {
    markPhase('snapshot');
    render(state);
    markPhase('rendered');
    markPaintedAfterThisFrame();
  },
  error: ({ runDir, message }) => renderError(runDir, message),
  progress: showProgress,
});
const app = document.getElementById('app')!;
let latest: ResultsPanelState | undefined;

/** A model's accuracy on a domain over the epochs, reduced by the chosen metric. */
function reduce(history: readonly EpochPoint[], role: string, domain: string, metric: Metric): number | undefined {
  const values = history.map((point) => point.accuracy[role]?.[domain]).filter((value): value is number => typeof value === 'number');
  if (values.length === 0) return undefined;
  return metric === 'last' ? values[values.length - 1] : metric === 'min' ? Math.min(...values) : Math.max(...values);
}

function table(state: ResultsPanelState, metric: Metric): HTMLElement {
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col' }, 'Model'),
    ...state.targets.map((target) => el('th', { scope: 'col' }, target)),
    el('th', { scope: 'col' }, 'Mean'),
    el('th', { scope: 'col' }, 'Params'),
    el('th', { scope: 'col' }, 'MACs/image'),
    el('th', { scope: 'col' }, 'Latency/batch'),
  );
  const rows = state.rows.map((row) => {
    const values = state.targets.map((target) => reduce(state.history, row.role, target, metric));
    const mean = meanOverTargets(Object.fromEntries(state.targets.map((target, i) => [target, values[i]])), state.targets);
    return el(
      'tr',
      {},
      el('th', { scope: 'row' }, row.role),
      ...values.map((value, i) => el('td', { class: 'num', 'data-role': row.role, 'data-target': state.targets[i] }, percent(value))),
      el('td', { class: 'num mean', 'data-role': row.role, 'data-mean': '' }, percent(mean)),
      el('td', { class: 'num' }, compact(row.parameters)),
      el('td', { class: 'num' }, compact(row.macsPerImage)),
      el('td', { class: 'num' }, row.latencyMsPerBatch === undefined ? '–' : `${row.latencyMsPerBatch.toFixed(2)} ms (${row.latencyBatchSize})`),
    );
  });
  const baselineRows = state.baselines.map((baseline) =>
    el(
      'tr',
      { class: 'baseline' },
      el('th', { scope: 'row', title: `the last epoch of run ${baseline.runId}` }, baseline.label, el('span', { class: 'run-id' }, baseline.runId)),
      ...state.targets.map((target) => el('td', { class: 'num', 'data-baseline': baseline.label, 'data-target': target }, percent(baseline.targets[target]))),
      el('td', { class: 'num mean', 'data-baseline': baseline.label, 'data-mean': '' }, percent(baseline.meanTarget)),
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
            el('th', { scope: 'rowgroup', colspan: String(state.targets.length + 5) }, 'Baselines: other runs on the same data, at their last epoch'),
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

function trainerLogButton(): HTMLElement {
  return button('Trainer Log', () => host.post({ type: 'openLog' }), { title: 'Open trainer.log' });
}

function render(state: ResultsPanelState): void {
  latest = state;
  host.save({ ...host.state, runDir: state.runDir });
  const metric: Metric = host.state?.metric ?? 'last';
  const progress = state.lastEpoch === undefined ? 'no epoch evaluated yet' : `epoch ${state.lastEpoch}${state.epochs ? ` of ${state.epochs}` : ''}`;
  const header = el(
    'header',
    {},
    el('h1', {}, state.runId),
    el('span', { class: `state state-${state.state ?? 'unknown'}`, id: 'run-state' }, state.state ?? 'unknown'),
    el('span', { class: 'subtitle' }, progress),
    trainerLogButton(),
  );
  const options = METRICS.map((option) => ({ id: `metric-${option}`, value: option, label: option }));
  const switcher = radioGroup('Accuracy over epochs', 'metric', options, metric, (option) => {
    host.save({ ...host.state, runDir: state.runDir, metric: option });
    if (latest) render(latest);
  });
  const notes: HTMLElement[] = [];
  if (state.error) notes.push(el('p', { class: 'error' }, `Failed: ${state.error}`));
  const { skippedImages } = state;
  if (skippedImages.count) {
    const more =
      skippedImages.count > skippedImages.first.length ? ` and ${skippedImages.count - skippedImages.first.length} more (trainer.log lists them)` : '';
    notes.push(
      el(
        'p',
        { class: 'warning', id: 'skipped-images' },
        `${skippedImages.count} ${skippedImages.count === 1 ? 'image was' : 'images were'} left out because ${skippedImages.count === 1 ? 'it' : 'they'} could not be decoded: ${skippedImages.first.join(', ')}${more}`,
      ),
    );
  }
  if (state.skippedEventLines.length)
    notes.push(el('p', { class: 'warning' }, `Skipped unreadable lines of events.jsonl: ${state.skippedEventLines.join(', ')}`));
  // Before the first evaluation the progress line is all there is to show.
  const body = state.rows.length ? [switcher, table(state, metric), curvesSection(curveCharts(state.history, state.rows, state.targets))] : [];
  app.replaceChildren(header, progressElement, ...notes, ...body);
}

/** The host could not read the run: say why, rather than leave the panel blank or on a stale table. */
function renderError(runDir: string, message: string): void {
  latest = undefined;
  const runId = runDir.split(/[\\/]/).filter(Boolean).at(-1) ?? runDir;
  app.replaceChildren(
    el('header', {}, el('h1', {}, runId), trainerLogButton()),
    el('p', { class: 'error', id: 'read-error', role: 'alert' }, `Could not read this run: ${message}`),
  );
}
