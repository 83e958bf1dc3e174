import type { GroupCell } from '../../src/runComparison/groupRuns';
import { groupRowKey, type ShownRow } from '../../src/runComparison/shownRows';
import type { ComparisonColumn } from '../../src/runComparison/runComparison';
import { el } from '../shared/dom';
import { perImageSpread } from '../shared/latencyText';
import { ColumnLayout, drawnCellCount, drawnPositions, sameWindow, type ColumnWindow } from './columnLayout';
import { keepingFocus, positionAfterKey, type RowFocus } from './rowFocus';
import type { TableView } from './tableView';

/** Rows drawn beyond the visible ones on each side, so a scroll step rarely shows blank space. */
const OVERSCAN = 6;

const isNumeric = (column: ComparisonColumn): boolean => column.kind !== 'text' && column.kind !== 'date';

export interface GridActions {
  /** A header's sort button was pressed. */
  sort(key: string): void;
  /** A run's button was pressed (click or Enter). */
  open(runDir: string): void;
  /** A group's disclosure was pressed (click, Enter, or an arrow key that opens or closes it). */
  toggle(groupKey: string): void;
}

/** A row's button: a run's (opens its results) or a group's (shows or hides its runs). The one tab stop moves between them. */
const ROW_BUTTON = 'button.row-button';

/**
 * The runs table, virtual both ways: it draws only the rows and columns in (and near) the
 * viewport, between spacers that keep the scroll size true, and moves the keyboard focus between
 * runs. What it draws comes from the view; which run holds the tab stop, from the focus.
 */
export class RunGrid {
  /** The scrolling box around the table: what the page shows. */
  readonly element: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly colgroup = el('colgroup');
  private readonly headRow = el('tr', { 'aria-rowindex': '1' });
  private readonly body = el('tbody');
  private readonly layout: ColumnLayout;
  private rowHeight = 24;
  private rowHeightMeasured = false;
  private rendered: { first: number; last: number; columns?: ColumnWindow; shown: number[] };
  private scrollFrame = 0;
  /** The header whose sort button is in the tab order (one stop for the header row); the run column's until the user moves it. */
  private headFocus: string | undefined;

  constructor(
    private readonly view: TableView,
    private readonly focus: RowFocus,
    actions: GridActions,
  ) {
    this.table = el('table', { id: 'runs-table' }, this.colgroup, el('thead', {}, this.headRow), this.body);
    this.element = el('div', { class: 'table-scroll', id: 'table-scroll' }, this.table);
    this.layout = new ColumnLayout(view, this.element);
    this.rendered = { first: -1, last: -1, shown: view.shownColumns };

    this.headRow.addEventListener('click', (event) => {
      const key = (event.target as HTMLElement).closest<HTMLButtonElement>('button.sort')?.dataset.column;
      if (key) actions.sort(key);
    });
    this.headRow.addEventListener('keydown', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button.sort');
      if (!button?.dataset.column) return;
      const current = view.shownColumns.findIndex((index) => view.table.columns[index].key === button.dataset.column);
      const moves: Record<string, number> = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: view.shownColumns.length - 1 };
      if (current < 0 || !Object.hasOwn(moves, event.key)) return;
      event.preventDefault();
      this.focusHeader(Math.max(0, Math.min(view.shownColumns.length - 1, moves[event.key])));
    });
    this.headRow.addEventListener('focusin', (event) => {
      const key = (event.target as HTMLElement).closest<HTMLButtonElement>('button.sort')?.dataset.column;
      if (key !== undefined && key !== this.headFocus) {
        this.headFocus = key;
        this.setHeadTabStop();
      }
    });
    this.body.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>(ROW_BUTTON);
      const key = button?.dataset.row;
      if (!button || !key) return;
      focus.set(Number(button.dataset.position), key);
      if (button.dataset.group !== undefined) actions.toggle(button.dataset.group);
      else actions.open(key);
    });
    this.body.addEventListener('keydown', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>(ROW_BUTTON);
      if (!button) return;
      const current = Number(button.dataset.position);
      const page = Math.max(1, Math.floor(this.element.clientHeight / this.rowHeight) - 2);
      const position = positionAfterKey(event.key, current, page, view.shownRows.length) ?? this.positionAfterTreeKey(event.key, current, actions);
      if (position === undefined) return;
      event.preventDefault();
      this.focusRow(position);
    });
    this.element.addEventListener('scroll', () => {
      if (this.scrollFrame) return;
      this.scrollFrame = requestAnimationFrame(() => {
        this.scrollFrame = 0;
        this.draw(false);
      });
    });
    new ResizeObserver(() => this.draw(false)).observe(this.element);
  }

  /** A new snapshot: its columns may hold other texts, so their widths are measured again. */
  forgetWidths(): void {
    this.layout.forgetWidths();
  }

  scrollToTop(): void {
    this.element.scrollTop = 0;
  }

  /**
   * Draws only the rows and columns in (and near) the viewport. `rowsChanged`: the rows' order or
   * content changed, so they are drawn even if the window did not move. The header is rebuilt only
   * when its columns change, which keeps the focus on a sort button that was just pressed.
   */
  draw(rowsChanged: boolean): void {
    const { view, element: scroller, rowHeight } = this;
    const columns = this.layout.window();
    const headStale = this.rendered.shown !== view.shownColumns || !sameWindow(this.rendered.columns, columns);
    if (headStale) this.renderHead(columns);
    const total = view.shownRows.length;
    const visibleCount = Math.ceil(scroller.clientHeight / rowHeight) + 1;
    const first = Math.max(0, Math.min(total, Math.floor(scroller.scrollTop / rowHeight) - OVERSCAN));
    const last = Math.min(total, first + visibleCount + 2 * OVERSCAN);
    if (!rowsChanged && !headStale && first === this.rendered.first && last === this.rendered.last) return;
    this.rendered = { first, last, columns, shown: view.shownColumns };
    const tabStop = Math.min(Math.max(this.focus.position, first), Math.max(first, last - 1));
    const cells = drawnCellCount(columns, view.shownColumns.length);
    const rows: HTMLTableRowElement[] = [];
    if (first > 0) rows.push(spacer(first * rowHeight, cells));
    for (let position = first; position < last; position++) rows.push(this.buildRow(position, tabStop, columns));
    if (last < total) rows.push(spacer((total - last) * rowHeight, cells));
    if (total === 0 && view.table.rows.length > 0)
      rows.push(el('tr', {}, el('td', { colspan: String(cells), class: 'no-match' }, 'No run matches the filter.')));
    // By row, not position: a redraw after a new snapshot keeps the focus on the run or group, wherever it moved.
    keepingFocus(this.body, 'data-row', () => this.body.replaceChildren(...rows));
    this.table.setAttribute('aria-rowcount', String(total + 1));
  }

  /** The row height comes from the theme's font; measured once on a drawn row, it places the virtual window exactly. */
  measureRowHeight(): void {
    if (this.rowHeightMeasured) return;
    const sample = this.body.querySelector<HTMLTableRowElement>('tr:not(.spacer)');
    if (!sample || sample.offsetHeight <= 0) return;
    this.rowHeightMeasured = true;
    if (sample.offsetHeight !== this.rowHeight) {
      this.rowHeight = sample.offsetHeight;
      this.draw(true);
    }
  }

  /** aria-sort and the arrow on every header; in place, so a sort keeps the header (and the focus on it). */
  showSortDirection(): void {
    for (const th of this.headRow.children) {
      const key = th.querySelector<HTMLButtonElement>('button.sort')?.dataset.column;
      const direction = key === undefined ? undefined : this.view.sortDirection(key);
      th.setAttribute('aria-sort', direction ?? 'none');
      const arrow = th.querySelector('.sort-arrow');
      if (arrow) arrow.textContent = direction === 'ascending' ? '▲' : direction === 'descending' ? '▼' : '';
    }
  }

  /** Moves the keyboard focus to the header at `position` of the shown columns, scrolling it into view (it may not be drawn yet). */
  private focusHeader(position: number): void {
    const { view, element: scroller } = this;
    const shown = view.shownColumns;
    const key = view.table.columns[shown[position]].key;
    if (position > 0) {
      // The run column stays in place at the left (sticky): the others scroll into view beside it.
      let left = 0;
      for (let i = 0; i < position; i++) left += this.layout.px(shown[i]);
      const width = this.layout.px(shown[position]);
      const pinned = this.layout.px(shown[0]);
      if (left - pinned < scroller.scrollLeft) scroller.scrollLeft = Math.max(0, left - pinned);
      else if (left + width > scroller.scrollLeft + scroller.clientWidth) scroller.scrollLeft = left + width - scroller.clientWidth;
    }
    this.headFocus = key;
    this.draw(false);
    this.setHeadTabStop();
    this.headRow.querySelector<HTMLButtonElement>(`button.sort[data-column="${CSS.escape(key)}"]`)?.focus();
  }

  /** One sort button in the tab order: the one the user last moved to if drawn, else the run column's. */
  private setHeadTabStop(): void {
    const buttons = [...this.headRow.querySelectorAll<HTMLButtonElement>('button.sort')];
    const stop = buttons.find((button) => button.dataset.column === this.headFocus) ?? buttons[0];
    for (const button of buttons) button.tabIndex = button === stop ? 0 : -1;
  }

  /** Moves the keyboard focus to the row at `position`, scrolling it into view (it may not be drawn yet). */
  private focusRow(position: number): void {
    const { view, element: scroller, rowHeight } = this;
    if (view.shownRows.length === 0) return;
    this.focus.moveTo(view, position);
    const head = this.table.tHead?.offsetHeight ?? 0;
    const top = this.focus.position * rowHeight;
    const viewport = scroller.clientHeight - head;
    if (top < scroller.scrollTop) scroller.scrollTop = top;
    else if (top + rowHeight > scroller.scrollTop + viewport) scroller.scrollTop = top + rowHeight - viewport;
    const target = this.focus.position;
    this.draw(true);
    this.body.querySelector<HTMLButtonElement>(`button[data-position="${target}"]`)?.focus();
  }

  /**
   * A group's arrow keys, as in a tree: Right opens a closed group, or goes to its first run; Left
   * closes an open group, or goes from a run to its group. The position to focus; undefined when
   * the key is not one of them or there is nowhere to go (opening and closing keep the focus).
   */
  private positionAfterTreeKey(key: string, position: number, actions: GridActions): number | undefined {
    const shown = this.view.shownRows[position];
    if (!shown || (key !== 'ArrowRight' && key !== 'ArrowLeft')) return undefined;
    if (shown.kind === 'run') {
      return key === 'ArrowLeft' && shown.group !== undefined ? this.view.positionOf(groupRowKey(this.view.groups[shown.group])) : undefined;
    }
    const groupKey = this.view.groups[shown.group].key;
    if (key === 'ArrowRight' && shown.expanded) return position + 1;
    if ((key === 'ArrowRight') !== shown.expanded) actions.toggle(groupKey);
    return position;
  }

  private renderHead(window: ColumnWindow): void {
    const { columns } = this.view.table;
    const shown = this.view.shownColumns;
    const positions = drawnPositions(window, shown.length);
    const col = (px: number) => {
      const element = el('col');
      // CSSOM, not a style attribute: the CSP refuses inline style attributes.
      element.style.width = `${px}px`;
      return element;
    };
    const cols = positions.map((position) => col(this.layout.px(shown[position])));
    if (window.leftPx) cols.splice(1, 0, col(window.leftPx));
    if (window.rightPx) cols.push(col(window.rightPx));
    this.colgroup.replaceChildren(...cols);
    const headers = positions.map((position) => {
      const column = columns[shown[position]];
      // Dotted paths may break after a dot (<wbr>), so `optimizer.studentLr` needs no wide column.
      const label = column.label.split('.').flatMap((part, i) => (i === 0 ? [part] : [el('wbr'), `.${part}`]));
      const arrow = el('span', { class: 'sort-arrow', 'aria-hidden': 'true' });
      const sortButton = el(
        'button',
        { class: 'sort', type: 'button', 'data-column': column.key, tabindex: '-1', title: `Sort by ${column.key} (Left and Right arrows: other columns)` },
        el('span', {}, ...label),
        arrow,
      );
      return el('th', { scope: 'col', 'aria-colindex': String(position + 1), ...(isNumeric(column) ? { class: 'num' } : {}) }, sortButton);
    });
    if (window.leftPx) headers.splice(1, 0, el('th', { class: 'hspacer', 'aria-hidden': 'true' }));
    if (window.rightPx) headers.push(el('th', { class: 'hspacer', 'aria-hidden': 'true' }));
    keepingFocus(this.headRow, 'data-column', () => {
      this.headRow.replaceChildren(...headers);
      this.setHeadTabStop();
    });
    this.table.setAttribute('aria-colcount', String(shown.length));
    this.showSortDirection();
  }

  private buildRow(position: number, tabStop: number, window: ColumnWindow): HTMLTableRowElement {
    const { table, shownColumns, groups } = this.view;
    const shown = this.view.shownRows[position];
    const key = this.view.keyAt(position);
    const tr = el('tr', { 'aria-rowindex': String(position + 2) });
    if (shown.kind === 'group') {
      tr.classList.add('group');
      tr.dataset.group = groups[shown.group].key;
    } else {
      tr.dataset.runDir = key;
      if (shown.group !== undefined) tr.classList.add('member');
    }
    const problem = shown.kind === 'run' ? table.rows[shown.row].problem : undefined;
    if (problem) tr.title = problem;
    for (const drawn of drawnPositions(window, shownColumns.length)) {
      const index = shownColumns[drawn];
      const column = table.columns[index];
      const text = this.view.text(shown, index);
      const colindex = String(drawn + 1);
      if (drawn === 0) {
        tr.append(el('th', { scope: 'row', 'aria-colindex': colindex }, this.rowButton(shown, position, key, text, position === tabStop)));
        if (window.leftPx) tr.append(el('td', { class: 'hspacer', 'aria-hidden': 'true' }));
        continue;
      }
      const groupCell: GroupCell | undefined = shown.kind === 'group' ? groups[shown.group].cells[index] : undefined;
      if (column.key === 'state' && text !== '' && groupCell?.kind !== 'differs') {
        tr.append(el('td', { 'aria-colindex': colindex }, el('span', { class: `state state-${text}` }, text)));
        continue;
      }
      const best = text !== '' && this.view.isBest(shown, index);
      const classes = [...(isNumeric(column) ? ['num'] : []), ...(groupCell?.kind === 'differs' ? ['differs'] : []), ...(best ? ['best'] : [])];
      // The best is bold with a star, and says "best" to a screen reader: never colour alone.
      const content = best
        ? [el('span', { class: 'best-mark', 'aria-hidden': 'true' }, '★'), text, el('span', { class: 'visually-hidden' }, ' (best)')]
        : [text || '–'];
      const cell = el('td', { 'aria-colindex': colindex, ...(classes.length ? { class: classes.join(' ') } : {}) }, ...content);
      const spread = shown.kind === 'run' && text !== '' ? table.rows[shown.row].latencySpreads?.[column.key] : undefined;
      if (spread) cell.append(...perImageSpread(spread));
      if (best) cell.title = `${text}: the best ${column.label} of the ${this.view.choices.grouped ? 'configurations' : 'runs'} shown`;
      if ((column.kind === 'text' && text.length > 12) || groupCell?.kind === 'differs')
        cell.title = groupCell?.kind === 'differs' ? `differs among the runs: ${text}` : text;
      tr.append(cell);
    }
    if (window.rightPx) tr.append(el('td', { class: 'hspacer', 'aria-hidden': 'true' }));
    return tr;
  }

  /** The row's one button: a run's opens its results; a group's shows or hides its runs (aria-expanded). */
  private rowButton(shown: ShownRow, position: number, key: string, text: string, tabStop: boolean): HTMLButtonElement {
    const common = { type: 'button', 'data-position': String(position), 'data-row': key, tabindex: tabStop ? '0' : '-1' };
    if (shown.kind === 'run') {
      const { runId } = this.view.table.rows[shown.row];
      return el('button', { ...common, class: 'row-button run-link', title: `Open the results of ${runId} (Enter)` }, text);
    }
    const group = this.view.groups[shown.group];
    const action = shown.expanded ? 'Hide' : 'Show';
    return el(
      'button',
      {
        ...common,
        class: 'row-button group-toggle',
        'data-group': group.key,
        'aria-expanded': String(shown.expanded),
        title: `${action} the ${group.rows.length} runs of this configuration (Enter, or ${shown.expanded ? 'Left' : 'Right'} arrow)`,
      },
      el('span', { class: 'disclosure', 'aria-hidden': 'true' }, shown.expanded ? '▾' : '▸'),
      text,
    );
  }
}

function spacer(height: number, cells: number): HTMLTableRowElement {
  const cell = el('td', { colspan: String(cells) });
  const row = el('tr', { class: 'spacer', 'aria-hidden': 'true' }, cell);
  row.style.height = `${height}px`;
  return row;
}
