// First import: its top level marks the bundle starting to run (see phases.ts).
import { markPaintedAfterThisFrame, markPhase } from '../shared/phases';
import type { HostToResultsPanel, ResultsPanelPersistedState, ResultsPanelState, ResultsPanelToHost } from '../../src/protocol/resultsMessages';
import { connect } from '../shared/connect';
import { radioGroup } from '../shared/dom';
import { button, el } from '../shared/toolkit';
import { accuracyTable, METRICS, type Metric } from './accuracyTable';
import { baselineOffer } from './baselineOffer';
import { curveCharts } from './curveCharts';
import { curvesSection } from './lineChart';
import { progressElement, showProgress } from './progressLine';

markPhase('script');

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
  const offer = state.missingSourceOnlyBaseline ? [baselineOffer(() => host.post({ type: 'startSourceOnlyBaseline' }))] : [];
  const body = state.rows.length
    ? [switcher, accuracyTable(state, metric), ...offer, curvesSection(curveCharts(state.history, state.rows, state.targets))]
    : [];
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
