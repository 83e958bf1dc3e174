// First import: its top level marks the bundle starting to run (see phases.ts).
import { markPaintedAfterThisFrame, markPhase } from '../shared/phases';
import {
  parseCompareRunsPanelPersistedState,
  type CompareRunsPanelPersistedState,
  type CompareRunsPanelState,
  type CompareRunsPanelToHost,
  type HostToCompareRunsPanel,
} from '../../src/protocol/compareRunsMessages';
import { connect } from '../shared/connect';
import { el } from '../shared/dom';
import { ColumnChooser } from './columnChooser';
import { CostPlot } from './costPlot';
import { RowFocus } from './rowFocus';
import { RunGrid } from './runGrid';
import { TableView } from './tableView';

markPhase('script');

markPhase('ready');
const host = connect<HostToCompareRunsPanel, CompareRunsPanelToHost, CompareRunsPanelPersistedState>({
  snapshot: ({ state }) => {
    markPhase('snapshot');
    show(state);
  },
  error: ({ runsDir, message }) => showError(runsDir, message),
});

const view = new TableView(parseCompareRunsPanelPersistedState(host.state));
const focus = new RowFocus();
const grid = new RunGrid(view, focus, {
  sort: (key) => {
    view.sortBy(key);
    update({ resort: true });
  },
  open: (runDir) => host.post({ type: 'openResults', runDir }),
  toggle: (groupKey) => {
    view.toggleExpanded(groupKey);
    update();
  },
});
const plot = new CostPlot({
  open: (runDir) => host.post({ type: 'openResults', runDir }),
  chooseCost: (cost) => {
    view.setPlotCost(cost);
    update();
  },
});
const chooser = new ColumnChooser({
  choose: (key, shown) => {
    view.chooseColumn(key, shown);
    update();
  },
  defaults: () => {
    view.defaultColumns();
    update({ chooser: true });
  },
});

const app = document.getElementById('app')!;
// Announcing every table change would flood a screen reader; only the run count is a live region.
app.removeAttribute('aria-live');

const summary = el('span', { class: 'subtitle', id: 'summary', 'aria-live': 'polite' });
const filterInput = el('input', {
  type: 'search',
  id: 'filter',
  'aria-label': 'Filter runs',
  placeholder: 'Filter: words, or field:value (method.name:kd-mtda, architecture:lenet5)',
  spellcheck: 'false',
});
const onlyDifferingBox = el('input', { type: 'checkbox', id: 'only-differing' });
const groupedBox = el('input', { type: 'checkbox', id: 'group-by-seed' });
const plotBox = el('input', { type: 'checkbox', id: 'show-plot' });
/** KD-UDA: Export Results on the grouped table as shown; the host asks for the format, as from the palette. */
const exportButton = el(
  'button',
  { type: 'button', id: 'export-grouped', title: 'KD-UDA: Export Results: this grouped table (the runs and columns shown) as Markdown, CSV or LaTeX' },
  'Export Results…',
);
const empty = el('p', { class: 'empty', id: 'empty' });
/** Why the last read of the runs folder failed; hidden once a snapshot arrives. */
const readError = el('p', { class: 'error', id: 'read-error', role: 'alert' });
readError.hidden = true;

filterInput.value = view.choices.filter ?? '';
onlyDifferingBox.checked = view.choices.onlyDiffering ?? false;
groupedBox.checked = view.choices.grouped ?? false;
plotBox.checked = view.choices.plot ?? false;
plot.setShown(plotBox.checked);

app.append(
  el('header', {}, el('h1', {}, 'Compare Runs'), summary),
  el(
    'div',
    { class: 'toolbar' },
    filterInput,
    el('label', { class: 'toggle' }, onlyDifferingBox, 'Only what differs'),
    el('label', { class: 'toggle', title: 'One row per configuration: every metric as mean ± std (n) over its runs' }, groupedBox, 'Group by all but seed'),
    el(
      'label',
      { class: 'toggle', title: 'Every model of the runs shown: mean target accuracy against MACs, parameters or latency, with the Pareto front' },
      plotBox,
      'Plot accuracy vs cost',
    ),
    chooser.element,
    exportButton,
  ),
  readError,
  empty,
  plot.element,
  grid.element,
);

filterInput.addEventListener('input', () => {
  view.setFilter(filterInput.value);
  focus.reset();
  grid.scrollToTop();
  update();
});

onlyDifferingBox.addEventListener('change', () => {
  view.setOnlyDiffering(onlyDifferingBox.checked);
  update();
});

groupedBox.addEventListener('change', () => {
  view.setGrouped(groupedBox.checked);
  // Group cells (`55.0 ± 5.0 (3)`) are wider than a run's: the columns are measured again.
  grid.forgetWidths();
  update();
});

plotBox.addEventListener('change', () => {
  view.setPlot(plotBox.checked);
  plot.setShown(plotBox.checked);
  update();
});

exportButton.addEventListener('click', () => {
  const runDirs = view.groupedRunDirs();
  if (runDirs.length) host.post({ type: 'exportGrouped', runDirs, columns: view.shownColumns.map((index) => view.table.columns[index].key) });
});

function renderSummary(): void {
  const hidden = view.hiddenAsSame();
  const runsDir = view.snapshot?.runsDir;
  const configurations = view.choices.grouped
    ? ` · ${view.groups.length.toLocaleString('en-US')} ${view.groups.length === 1 ? 'configuration' : 'configurations'}`
    : '';
  summary.textContent = `${view.visibleRows.length.toLocaleString('en-US')} of ${view.table.rows.length.toLocaleString('en-US')} runs${runsDir ? ` in ${runsDir}` : ''}${configurations}${hidden > 0 ? ` · ${hidden} columns hidden: the same in every ${view.choices.grouped ? 'configuration' : 'run'} shown` : ''}`;
  exportButton.hidden = !view.choices.grouped;
  exportButton.disabled = view.groups.length === 0;
}

/** Recomputes what depends on the choices and redraws: `resort` recomputes the order first, `chooser` redraws the column chooser. */
function update({ resort = false, chooser: redrawChooser = false } = {}): void {
  view.refresh(resort);
  focus.follow(view);
  grid.showSortDirection();
  grid.draw(true);
  renderSummary();
  plot.update(view, view.choices.plotCost ?? 'macs');
  if (redrawChooser) chooser.render(view);
  chooser.renderCount(view);
  host.save(view.choices);
}

function show(state: CompareRunsPanelState): void {
  view.load(state);
  grid.forgetWidths();
  readError.hidden = true;
  const noRuns = state.table.rows.length === 0;
  empty.hidden = !noRuns;
  grid.element.hidden = noRuns;
  plot.setShown(!noRuns && (view.choices.plot ?? false));
  empty.textContent = noRuns ? `No runs in ${state.runsDir ?? 'this workspace (open a folder)'} yet. Start one with KD-UDA: Start Run.` : '';
  update({ resort: true, chooser: true });
  markPhase('rendered');
  markPaintedAfterThisFrame();
  requestIdleCallback(() => view.searchIndex(), { timeout: 1000 });
  grid.measureRowHeight();
}

/** The host could not read the runs folder: the reason, above the last table if there was one. */
function showError(runsDir: string | undefined, message: string): void {
  readError.textContent = `Could not read the runs${runsDir ? ` in ${runsDir}` : ''}: ${message}`;
  readError.hidden = false;
  if (!view.snapshot) {
    empty.hidden = true;
    grid.element.hidden = true;
  }
}
