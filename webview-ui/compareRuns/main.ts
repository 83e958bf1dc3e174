// First import: its top level marks the bundle starting to run (see phases.ts).
import { markPaintedAfterThisFrame, markPhase } from '../shared/phases';
import {
  parseCompareRunsPanelPersistedState,
  type CompareRunsPanelPersistedState,
  type CompareRunsPanelState,
  type CompareRunsPanelToHost,
  type HostToCompareRunsPanel,
} from '../../src/protocol/compareRunsMessages';
import { buildSearchIndex, cellText, differingColumns, findRunPosition, parseFilter, rowMatches, sortRows, type ColumnGroup, type ComparisonColumn, type ComparisonTable, type SearchIndex } from '../../src/runComparison/runComparison';
import { connect } from '../shared/connect';
import { el } from '../shared/dom';

markPhase('script');

markPhase('ready');
const host = connect<HostToCompareRunsPanel, CompareRunsPanelToHost, CompareRunsPanelPersistedState>({
  snapshot: ({ state }) => {
    markPhase('snapshot');
    show(state);
  },
  error: ({ runsDir, message }) => showError(runsDir, message),
});
let persisted = parseCompareRunsPanelPersistedState(host.state);

/** Rows drawn beyond the visible ones on each side, so a scroll step rarely shows blank space. */
const OVERSCAN = 6;
const GROUP_LABELS: Record<ColumnGroup, string> = { run: 'Run', experiment: 'Experiment', metric: 'Metrics (last epoch)' };

const app = document.getElementById('app')!;
// Announcing every table change would flood a screen reader; only the run count is a live region.
app.removeAttribute('aria-live');

const summary = el('span', { class: 'subtitle', id: 'summary', 'aria-live': 'polite' });
const filterInput = el('input', { type: 'search', id: 'filter', 'aria-label': 'Filter runs', placeholder: 'Filter: words, or field:value (method.name:kd-mtda, architecture:lenet5)', spellcheck: 'false' });
const onlyDifferingBox = el('input', { type: 'checkbox', id: 'only-differing' });
const chooserList = el('div', { class: 'chooser-list' });
const chooser = el('details', { id: 'column-chooser' }, el('summary', {}, 'Columns'), chooserList);
const colgroup = el('colgroup');
const headRow = el('tr', { 'aria-rowindex': '1' });
const body = el('tbody');
const table = el('table', { id: 'runs-table' }, colgroup, el('thead', {}, headRow), body);
const scroller = el('div', { class: 'table-scroll', id: 'table-scroll' }, table);
const empty = el('p', { class: 'empty', id: 'empty' });
/** Why the last read of the runs folder failed; hidden once a snapshot arrives. */
const readError = el('p', { class: 'error', id: 'read-error', role: 'alert' });
readError.hidden = true;

filterInput.value = persisted.filter ?? '';
onlyDifferingBox.checked = persisted.onlyDiffering ?? false;

app.append(
  el('header', {}, el('h1', {}, 'Compare Runs'), summary),
  el('div', { class: 'toolbar' }, filterInput, el('label', { class: 'toggle' }, onlyDifferingBox, 'Only what differs'), chooser),
  readError,
  empty,
  scroller,
);

let snapshot: CompareRunsPanelState | undefined;
/** Built after the first paint (or when a filter needs it first): every cell's text of 1,000 rows is not free. */
let search: SearchIndex | undefined;
/** Every row index in sort order; `visibleRows` is it filtered. */
let sortedRows: number[] = [];
let visibleRows: number[] = [];
let shownColumns: number[] = [];
/** Column width in `ch`, from the longest text the column holds (measured when first shown): fixed widths keep virtual rows from jittering. */
let widths: (number | undefined)[] = [];
let rowHeight = 24;
let rowHeightMeasured = false;
/**
 * The shown columns that are drawn: the run column always, then positions [first, last) of
 * `shownColumns`; spacer columns stand in for the rest, so a wide table costs the cells in view.
 */
interface ColumnWindow {
  first: number;
  last: number;
  leftPx: number;
  rightPx: number;
}
let rendered: { first: number; last: number; columns?: ColumnWindow; shown: number[] } = { first: -1, last: -1, shown: shownColumns };
/** Pixels per `ch` in the table's font: widths are set in px, so the column window can be placed. */
let chPx = 0;
/** Position in `visibleRows` of the row whose button is in the tab order (one stop for the whole table). */
let focusPosition = 0;
/**
 * The run (its runDir) at `focusPosition` when the user put it there: a new snapshot or sort moves
 * runs, so the position is found again from the run, and Enter still opens the run the user chose.
 */
let focusRunDir: string | undefined;

const isNumeric = (column: ComparisonColumn): boolean => column.kind !== 'text' && column.kind !== 'date';

function save(): void {
  host.save(persisted);
}

function currentTable(): ComparisonTable {
  return snapshot?.table ?? { columns: [], rows: [] };
}

function sortColumnIndex(): number {
  return persisted.sort ? currentTable().columns.findIndex((column) => column.key === persisted.sort?.key) : -1;
}

function applySort(): void {
  const table = currentTable();
  const column = sortColumnIndex();
  sortedRows = column >= 0 && persisted.sort ? sortRows(table, column, persisted.sort.direction) : table.rows.map((_, index) => index);
}

function searchIndex(): SearchIndex {
  search ??= buildSearchIndex(currentTable());
  return search;
}

/** Puts `focusPosition` back on `focusRunDir`, wherever the sort, filter or snapshot moved it. */
function followFocusedRun(): void {
  const table = currentTable();
  const position = findRunPosition(table, visibleRows, focusRunDir);
  if (position >= 0) focusPosition = position;
  else {
    // The run is gone or filtered out: the row now at the same place takes the tab stop.
    focusPosition = Math.max(0, Math.min(visibleRows.length - 1, focusPosition));
    focusRunDir = visibleRows.length ? table.rows[visibleRows[focusPosition]].runDir : undefined;
  }
}

function applyFilter(): void {
  const terms = parseFilter(persisted.filter ?? '', currentTable().columns);
  if (terms.length === 0) {
    visibleRows = sortedRows;
    return;
  }
  const index = searchIndex();
  visibleRows = sortedRows.filter((row) => rowMatches(index, row, terms));
}

/** The run column always, and the rest as chosen (each column's default until the user chooses). */
function chosenColumns(): number[] {
  const chosen = persisted.columns ? new Set(persisted.columns) : undefined;
  return currentTable().columns.flatMap((column, index) => (index === 0 || (chosen ? chosen.has(column.key) : column.shownByDefault) ? [index] : []));
}

/** The chosen columns; with "only what differs", only those whose values differ among the rows shown. */
function chooseColumns(): number[] {
  const chosen = chosenColumns();
  if (!persisted.onlyDiffering) return chosen;
  const differs = differingColumns(currentTable(), visibleRows);
  return chosen.filter((index) => index === 0 || differs[index]);
}

function widthOf(index: number): number {
  const cached = widths[index];
  if (cached !== undefined) return cached;
  const { columns, rows } = currentTable();
  const column = columns[index];
  let longest = 0;
  for (const row of rows) longest = Math.max(longest, cellText(column, row.cells[index]).length);
  // Header words are bold and may not break; `ch` is a digit's width, so letters get a little more.
  const longestWord = Math.max(...column.label.split(/[\s.]+/).map((word) => word.length));
  const width = Math.min(36, Math.max(6, longest + 2, Math.ceil(longestWord * 1.15) + 3));
  widths[index] = width;
  return width;
}

function columnPx(index: number): number {
  if (chPx === 0) {
    const probe = el('span', { class: 'ch-probe' }, '0'.repeat(20));
    scroller.append(probe);
    chPx = probe.getBoundingClientRect().width / 20 || 7;
    probe.remove();
  }
  return Math.round(widthOf(index) * chPx);
}

/** The columns within half a viewport of the visible ones. */
function columnWindow(): ColumnWindow {
  const margin = scroller.clientWidth / 2;
  const from = scroller.scrollLeft - margin;
  const to = scroller.scrollLeft + scroller.clientWidth + margin;
  const window: ColumnWindow = { first: 1, last: 1, leftPx: 0, rightPx: 0 };
  let x = shownColumns.length ? columnPx(shownColumns[0]) : 0;
  for (let position = 1; position < shownColumns.length; position++) {
    const width = columnPx(shownColumns[position]);
    if (x + width < from) {
      window.leftPx += width;
      window.first = window.last = position + 1;
    } else if (x <= to) window.last = position + 1;
    else window.rightPx += width;
    x += width;
  }
  return window;
}

const sameWindow = (a: ColumnWindow | undefined, b: ColumnWindow): boolean => a !== undefined && a.first === b.first && a.last === b.last && a.leftPx === b.leftPx && a.rightPx === b.rightPx;

/** Positions in `shownColumns` that `window` draws. */
function drawnPositions(window: ColumnWindow): number[] {
  return shownColumns.length ? [0, ...Array.from({ length: window.last - window.first }, (_, i) => window.first + i)] : [];
}

/** Cells in a drawn row: the drawn columns and the spacers. */
const drawnCellCount = (window: ColumnWindow): number => drawnPositions(window).length + (window.leftPx ? 1 : 0) + (window.rightPx ? 1 : 0);

/** Rebuilding a row or header removes the focused button: the new one with the same `attribute` takes the focus back. */
function keepingFocus(container: HTMLElement, attribute: string, rebuild: () => void): void {
  const focused = container.contains(document.activeElement) ? (document.activeElement as HTMLElement).getAttribute(attribute) : null;
  rebuild();
  if (focused !== null) container.querySelector<HTMLElement>(`[${attribute}="${CSS.escape(focused)}"]`)?.focus({ preventScroll: true });
}

function renderHead(window: ColumnWindow): void {
  const { columns } = currentTable();
  const positions = drawnPositions(window);
  const spacerCol = (px: number) => {
    const col = el('col');
    col.style.width = `${px}px`;
    return col;
  };
  const cols = positions.map((position) => {
    const col = el('col');
    // CSSOM, not a style attribute: the CSP refuses inline style attributes.
    col.style.width = `${columnPx(shownColumns[position])}px`;
    return col;
  });
  if (window.leftPx) cols.splice(1, 0, spacerCol(window.leftPx));
  if (window.rightPx) cols.push(spacerCol(window.rightPx));
  colgroup.replaceChildren(...cols);
  const headers = positions.map((position) => {
    const column = columns[shownColumns[position]];
    // Dotted paths may break after a dot (<wbr>), so `optimizer.studentLr` needs no wide column.
    const label = column.label.split('.').flatMap((part, i) => (i === 0 ? [part] : [el('wbr'), `.${part}`]));
    const arrow = el('span', { class: 'sort-arrow', 'aria-hidden': 'true' });
    const sortButton = el('button', { class: 'sort', type: 'button', 'data-column': column.key, title: `Sort by ${column.key}` }, el('span', {}, ...label), arrow);
    return el('th', { scope: 'col', 'aria-colindex': String(position + 1), ...(isNumeric(column) ? { class: 'num' } : {}) }, sortButton);
  });
  if (window.leftPx) headers.splice(1, 0, el('th', { class: 'hspacer', 'aria-hidden': 'true' }));
  if (window.rightPx) headers.push(el('th', { class: 'hspacer', 'aria-hidden': 'true' }));
  keepingFocus(headRow, 'data-column', () => headRow.replaceChildren(...headers));
  table.setAttribute('aria-colcount', String(shownColumns.length));
  showSortDirection();
}

/** aria-sort and the arrow on every header; in place, so a sort keeps the header (and the focus on it). */
function showSortDirection(): void {
  for (const th of headRow.children) {
    const key = th.querySelector<HTMLButtonElement>('button.sort')?.dataset.column;
    const direction = key !== undefined && key === persisted.sort?.key ? persisted.sort.direction : undefined;
    th.setAttribute('aria-sort', direction ?? 'none');
    const arrow = th.querySelector('.sort-arrow');
    if (arrow) arrow.textContent = direction === 'ascending' ? '▲' : direction === 'descending' ? '▼' : '';
  }
}

function spacer(height: number, cells: number): HTMLTableRowElement {
  const cell = el('td', { colspan: String(cells) });
  const row = el('tr', { class: 'spacer', 'aria-hidden': 'true' }, cell);
  row.style.height = `${height}px`;
  return row;
}

function buildRow(position: number, tabStop: number, window: ColumnWindow): HTMLTableRowElement {
  const table = currentTable();
  const row = table.rows[visibleRows[position]];
  const tr = el('tr', { 'aria-rowindex': String(position + 2), 'data-run-dir': row.runDir });
  if (row.problem) tr.title = row.problem;
  for (const drawn of drawnPositions(window)) {
    const index = shownColumns[drawn];
    const column = table.columns[index];
    const value = row.cells[index];
    const text = cellText(column, value);
    const colindex = String(drawn + 1);
    if (drawn === 0) {
      const open = el('button', { class: 'run-link', type: 'button', 'data-position': String(position), 'data-run': row.runDir, tabindex: position === tabStop ? '0' : '-1', title: `Open the results of ${row.runId} (Enter)` }, text);
      tr.append(el('th', { scope: 'row', 'aria-colindex': colindex }, open));
      if (window.leftPx) tr.append(el('td', { class: 'hspacer', 'aria-hidden': 'true' }));
    } else if (column.key === 'state' && value !== null) {
      tr.append(el('td', { 'aria-colindex': colindex }, el('span', { class: `state state-${text}` }, text)));
    } else {
      const cell = el('td', isNumeric(column) ? { class: 'num', 'aria-colindex': colindex } : { 'aria-colindex': colindex }, text || '–');
      if (column.kind === 'text' && text.length > 12) cell.title = text;
      tr.append(cell);
    }
  }
  if (window.rightPx) tr.append(el('td', { class: 'hspacer', 'aria-hidden': 'true' }));
  return tr;
}

/**
 * Draws only the rows and columns in (and near) the viewport, between spacers that keep the
 * scroll size true. `rowsChanged`: the rows' order or content changed, so they are drawn even if
 * the window did not move. The header is rebuilt only when its columns change, which keeps the
 * focus on a sort button that was just pressed.
 */
function draw(rowsChanged: boolean): void {
  const columns = columnWindow();
  const headStale = rendered.shown !== shownColumns || !sameWindow(rendered.columns, columns);
  if (headStale) renderHead(columns);
  const total = visibleRows.length;
  const visibleCount = Math.ceil(scroller.clientHeight / rowHeight) + 1;
  const first = Math.max(0, Math.min(total, Math.floor(scroller.scrollTop / rowHeight) - OVERSCAN));
  const last = Math.min(total, first + visibleCount + 2 * OVERSCAN);
  if (!rowsChanged && !headStale && first === rendered.first && last === rendered.last) return;
  rendered = { first, last, columns, shown: shownColumns };
  const tabStop = Math.min(Math.max(focusPosition, first), Math.max(first, last - 1));
  const cells = drawnCellCount(columns);
  const rows: HTMLTableRowElement[] = [];
  if (first > 0) rows.push(spacer(first * rowHeight, cells));
  for (let position = first; position < last; position++) rows.push(buildRow(position, tabStop, columns));
  if (last < total) rows.push(spacer((total - last) * rowHeight, cells));
  if (total === 0 && currentTable().rows.length > 0) rows.push(el('tr', {}, el('td', { colspan: String(cells), class: 'no-match' }, 'No run matches the filter.')));
  // By run, not position: a redraw after a new snapshot keeps the focus on the run, wherever it moved.
  keepingFocus(body, 'data-run', () => body.replaceChildren(...rows));
  table.setAttribute('aria-rowcount', String(total + 1));
}

function renderSummary(): void {
  const table = currentTable();
  const same = persisted.onlyDiffering ? chosenColumns().length - shownColumns.length : 0;
  summary.textContent = `${visibleRows.length.toLocaleString('en-US')} of ${table.rows.length.toLocaleString('en-US')} runs${snapshot?.runsDir ? ` in ${snapshot.runsDir}` : ''}${same > 0 ? ` · ${same} columns hidden: the same in every run shown` : ''}`;
}

function renderChooser(): void {
  const { columns } = currentTable();
  const chosen = persisted.columns ? new Set(persisted.columns) : undefined;
  const groups = (['run', 'experiment', 'metric'] as const).map((group) => {
    const boxes = columns.flatMap((column, index) => {
      if (column.group !== group || index === 0) return [];
      const box = el('input', { type: 'checkbox', 'data-column': column.key });
      box.checked = chosen ? chosen.has(column.key) : column.shownByDefault;
      return [el('label', {}, box, column.label)];
    });
    return boxes.length ? [el('fieldset', {}, el('legend', {}, GROUP_LABELS[group]), ...boxes)] : [];
  });
  const defaults = el('button', { type: 'button', id: 'columns-default' }, 'Default columns');
  chooserList.replaceChildren(...groups.flat(), defaults);
}

/** Recomputes what depends on the filter and redraws: `resort` recomputes the order first, `chooser` redraws the column chooser. */
function update({ resort = false, chooser: redrawChooser = false } = {}): void {
  if (resort) applySort();
  applyFilter();
  followFocusedRun();
  const columns = chooseColumns();
  // A new array only when the columns change: `draw` rebuilds the header exactly then.
  if (columns.length !== shownColumns.length || columns.some((index, i) => index !== shownColumns[i])) shownColumns = columns;
  showSortDirection();
  draw(true);
  renderSummary();
  if (redrawChooser) renderChooser();
  save();
}

function show(state: CompareRunsPanelState): void {
  snapshot = state;
  readError.hidden = true;
  search = undefined;
  widths = [];
  const noRuns = state.table.rows.length === 0;
  empty.hidden = !noRuns;
  scroller.hidden = noRuns;
  empty.textContent = noRuns ? `No runs in ${state.runsDir ?? 'this workspace (open a folder)'} yet. Start one with KD-UDA: Start Run.` : '';
  // A new table may have other columns at the same positions: the header is drawn afresh.
  shownColumns = [];
  update({ resort: true, chooser: true });
  markPhase('rendered');
  markPaintedAfterThisFrame();
  requestIdleCallback(() => searchIndex(), { timeout: 1000 });
  if (!rowHeightMeasured) {
    const sample = body.querySelector<HTMLTableRowElement>('tr:not(.spacer)');
    // The row height comes from the theme's font; measured once, it places the virtual window exactly.
    if (sample && sample.offsetHeight > 0) {
      rowHeightMeasured = true;
      if (sample.offsetHeight !== rowHeight) {
        rowHeight = sample.offsetHeight;
        draw(true);
      }
    }
  }
}

/** Moves the keyboard focus to the row at `position`, scrolling it into view (it may not be drawn yet). */
function focusRow(position: number): void {
  if (visibleRows.length === 0) return;
  focusPosition = Math.max(0, Math.min(visibleRows.length - 1, position));
  focusRunDir = currentTable().rows[visibleRows[focusPosition]].runDir;
  const head = table.tHead?.offsetHeight ?? 0;
  const top = focusPosition * rowHeight;
  const viewport = scroller.clientHeight - head;
  if (top < scroller.scrollTop) scroller.scrollTop = top;
  else if (top + rowHeight > scroller.scrollTop + viewport) scroller.scrollTop = top + rowHeight - viewport;
  const target = focusPosition;
  draw(true);
  body.querySelector<HTMLButtonElement>(`button[data-position="${target}"]`)?.focus();
}

headRow.addEventListener('click', (event) => {
  const key = (event.target as HTMLElement).closest<HTMLButtonElement>('button.sort')?.dataset.column;
  if (!key) return;
  const direction = persisted.sort?.key === key && persisted.sort.direction === 'ascending' ? 'descending' : 'ascending';
  persisted = { ...persisted, sort: { key, direction } };
  update({ resort: true });
});

body.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button.run-link');
  const runDir = button?.closest('tr')?.dataset.runDir;
  if (!button || !runDir) return;
  focusPosition = Number(button.dataset.position);
  focusRunDir = runDir;
  host.post({ type: 'openResults', runDir });
});

body.addEventListener('keydown', (event) => {
  const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button.run-link');
  if (!button) return;
  const position = Number(button.dataset.position);
  const page = Math.max(1, Math.floor(scroller.clientHeight / rowHeight) - 2);
  const moves: Record<string, number> = { ArrowDown: position + 1, ArrowUp: position - 1, PageDown: position + page, PageUp: position - page, Home: 0, End: visibleRows.length - 1 };
  if (!(event.key in moves)) return;
  event.preventDefault();
  focusRow(moves[event.key]);
});

let scrollFrame = 0;
scroller.addEventListener('scroll', () => {
  if (scrollFrame) return;
  scrollFrame = requestAnimationFrame(() => {
    scrollFrame = 0;
    draw(false);
  });
});
new ResizeObserver(() => draw(false)).observe(scroller);

filterInput.addEventListener('input', () => {
  persisted = { ...persisted, filter: filterInput.value };
  focusPosition = 0;
  focusRunDir = undefined;
  scroller.scrollTop = 0;
  update();
});

onlyDifferingBox.addEventListener('change', () => {
  persisted = { ...persisted, onlyDiffering: onlyDifferingBox.checked };
  update();
});

chooserList.addEventListener('change', (event) => {
  const box = event.target as HTMLInputElement;
  if (!box.dataset.column) return;
  const { columns } = currentTable();
  const chosen = new Set(persisted.columns ?? columns.filter((column) => column.shownByDefault).map((column) => column.key));
  if (box.checked) chosen.add(box.dataset.column);
  else chosen.delete(box.dataset.column);
  persisted = { ...persisted, columns: [...chosen] };
  update();
});

chooserList.addEventListener('click', (event) => {
  if ((event.target as HTMLElement).id !== 'columns-default') return;
  persisted = { ...persisted, columns: undefined };
  update({ chooser: true });
});

/** The host could not read the runs folder: the reason, above the last table if there was one. */
function showError(runsDir: string | undefined, message: string): void {
  readError.textContent = `Could not read the runs${runsDir ? ` in ${runsDir}` : ''}: ${message}`;
  readError.hidden = false;
  if (!snapshot) {
    empty.hidden = true;
    scroller.hidden = true;
  }
}
