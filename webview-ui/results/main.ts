// First import: its top level marks the bundle starting to run (see phases.ts).
import { markPaintedAfterThisFrame, markPhase } from '../shared/phases';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { HostToResultsPanel, ResultsPanelPersistedState, ResultsPanelState, ResultsPanelToHost } from '../../src/protocol/resultsMessages';
import { meanOverTargets } from '../../src/runFolder/targetAccuracy';
import { connect } from '../shared/connect';
import { radioGroup } from '../shared/dom';
import { button, el } from '../shared/toolkit';
import { accuracyTable, METRICS, type Metric } from './accuracyTable';
import { baselineOffer } from './baselineOffer';

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
});
const app = document.getElementById('app')!;
let latest: ResultsPanelState | undefined;
const charts: uPlot[] = [];

function themeColours(): string[] {
  const style = getComputedStyle(document.body);
  return ['blue', 'orange', 'green', 'purple', 'red', 'yellow'].map((name) => style.getPropertyValue(`--vscode-charts-${name}`).trim() || '#888');
}

function chart(container: HTMLElement, title: string, epochs: number[], series: { label: string; values: (number | null)[] }[], percentAxis: boolean): void {
  const colours = themeColours();
  const foreground = getComputedStyle(document.body).getPropertyValue('--vscode-foreground').trim() || '#ccc';
  const axis = { stroke: foreground, grid: { stroke: 'rgba(128,128,128,0.2)' }, ticks: { stroke: 'rgba(128,128,128,0.3)' } };
  const plot = new uPlot(
    {
      title,
      width: Math.max(300, container.clientWidth || 600),
      height: 240,
      scales: { x: { time: false } },
      axes: [
        { ...axis, label: 'epoch', incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500] },
        { ...axis, values: (_u, ticks) => ticks.map((tick) => (percentAxis ? `${Math.round(tick * 100)}%` : tick.toPrecision(2))) },
      ],
      series: [
        { label: 'epoch' },
        ...series.map((entry, i) => ({ label: entry.label, stroke: colours[i % colours.length], width: 2, points: { show: epochs.length < 30 } })),
      ],
    },
    [epochs, ...series.map((entry) => entry.values)] as uPlot.AlignedData,
    container,
  );
  charts.push(plot);
}

function curves(state: ResultsPanelState): HTMLElement {
  const section = el('section', { class: 'charts' });
  const accuracy = el('div', { class: 'chart', id: 'accuracy-chart', role: 'img', 'aria-label': 'Mean target accuracy per epoch, one line per model' });
  const losses = el('div', { class: 'chart', id: 'loss-chart', role: 'img', 'aria-label': 'Loss terms and beta per epoch' });
  section.append(accuracy, losses);
  requestAnimationFrame(() => {
    const epochs = state.history.map((point) => point.epoch);
    const roles = state.rows.map((row) => row.role);
    chart(
      accuracy,
      'Mean target accuracy',
      epochs,
      roles.map((role) => ({
        label: role,
        values: state.history.map((point) => meanOverTargets(point.accuracy[role], state.targets) ?? null),
      })),
      true,
    );
    const terms = [...new Set(state.history.flatMap((point) => Object.keys(point.losses)))].sort();
    chart(
      losses,
      'Loss terms and beta',
      epochs,
      [
        ...terms.map((term) => ({ label: term, values: state.history.map((point) => point.losses[term] ?? null) })),
        { label: 'beta', values: state.history.map((point) => point.beta ?? null) },
      ],
      false,
    );
  });
  return section;
}

function trainerLogButton(): HTMLElement {
  return button('Trainer Log', () => host.post({ type: 'openLog' }), { title: 'Open trainer.log' });
}

function render(state: ResultsPanelState): void {
  latest = state;
  host.save({ ...host.state, runDir: state.runDir });
  const metric: Metric = host.state?.metric ?? 'last';
  for (const plot of charts.splice(0)) plot.destroy();
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
  const offer = state.missingSourceOnlyBaseline ? [baselineOffer(() => host.post({ type: 'startSourceOnlyBaseline' }))] : [];
  const body = state.rows.length ? [switcher, accuracyTable(state, metric), ...offer, curves(state)] : [el('p', {}, 'Waiting for the first evaluation…')];
  app.replaceChildren(header, ...notes, ...body);
}

/** The host could not read the run: say why, rather than leave the panel blank or on a stale table. */
function renderError(runDir: string, message: string): void {
  latest = undefined;
  for (const plot of charts.splice(0)) plot.destroy();
  const runId = runDir.split(/[\\/]/).filter(Boolean).at(-1) ?? runDir;
  app.replaceChildren(
    el('header', {}, el('h1', {}, runId), trainerLogButton()),
    el('p', { class: 'error', id: 'read-error', role: 'alert' }, `Could not read this run: ${message}`),
  );
}
