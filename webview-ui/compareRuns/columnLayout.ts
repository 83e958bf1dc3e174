import { el } from '../shared/dom';
import type { TableView } from './tableView';

/**
 * The shown columns that are drawn: the run column always, then positions [first, last) of
 * `shownColumns`; spacer columns stand in for the rest, so a wide table costs the cells in view.
 */
export interface ColumnWindow {
  first: number;
  last: number;
  leftPx: number;
  rightPx: number;
}

export const sameWindow = (a: ColumnWindow | undefined, b: ColumnWindow): boolean =>
  a !== undefined && a.first === b.first && a.last === b.last && a.leftPx === b.leftPx && a.rightPx === b.rightPx;

/** Positions in `shownColumns` (of `shownCount`) that `window` draws. */
export function drawnPositions(window: ColumnWindow, shownCount: number): number[] {
  return shownCount ? [0, ...Array.from({ length: window.last - window.first }, (_, i) => window.first + i)] : [];
}

/** Cells in a drawn row: the drawn columns and the spacers. */
export const drawnCellCount = (window: ColumnWindow, shownCount: number): number =>
  drawnPositions(window, shownCount).length + (window.leftPx ? 1 : 0) + (window.rightPx ? 1 : 0);

/**
 * Where the columns go across: fixed widths (from the longest text a column holds, measured when
 * first shown), which keep virtual rows from jittering, and the window of columns near the view.
 */
export class ColumnLayout {
  /** Column width in `ch`, by column index, for the current snapshot. */
  private widths: (number | undefined)[] = [];
  /** Pixels per `ch` in the table's font: widths are set in px, so the column window can be placed. */
  private chPx = 0;

  constructor(
    private readonly view: TableView,
    private readonly scroller: HTMLElement,
  ) {}

  /** A new snapshot's columns may hold other texts: their widths are measured again. */
  forgetWidths(): void {
    this.widths = [];
  }

  px(index: number): number {
    if (this.chPx === 0) {
      const probe = el('span', { class: 'ch-probe' }, '0'.repeat(20));
      this.scroller.append(probe);
      this.chPx = probe.getBoundingClientRect().width / 20 || 7;
      probe.remove();
    }
    return Math.round(this.widthOf(index) * this.chPx);
  }

  /** The columns within half a viewport of the visible ones. */
  window(): ColumnWindow {
    const { scroller } = this;
    const shown = this.view.shownColumns;
    const margin = scroller.clientWidth / 2;
    const from = scroller.scrollLeft - margin;
    const to = scroller.scrollLeft + scroller.clientWidth + margin;
    const window: ColumnWindow = { first: 1, last: 1, leftPx: 0, rightPx: 0 };
    let x = shown.length ? this.px(shown[0]) : 0;
    for (let position = 1; position < shown.length; position++) {
      const width = this.px(shown[position]);
      if (x + width < from) {
        window.leftPx += width;
        window.first = window.last = position + 1;
      } else if (x <= to) window.last = position + 1;
      else window.rightPx += width;
      x += width;
    }
    return window;
  }

  private widthOf(index: number): number {
    const cached = this.widths[index];
    if (cached !== undefined) return cached;
    const column = this.view.table.columns[index];
    let longest = 0;
    for (const text of this.view.columnTexts(index)) longest = Math.max(longest, text.length);
    // A group's run cell has its disclosure arrow too.
    if (index === 0 && this.view.groups.length) longest += 2;
    // Header words are bold and may not break; `ch` is a digit's width, so letters get a little more.
    const longestWord = Math.max(...column.label.split(/[\s.]+/).map((word) => word.length));
    const width = Math.min(36, Math.max(6, longest + 2, Math.ceil(longestWord * 1.15) + 3));
    this.widths[index] = width;
    return width;
  }
}
