import type { TableView } from './tableView';

/**
 * The row whose button is in the tab order (one stop for the whole table), as a position among
 * the rows shown and the row (run or group) that was there when the user put it there: a new
 * snapshot, sort or expanded group moves rows, so the position is found again from the row, and
 * Enter still acts on the row the user chose.
 */
export class RowFocus {
  position = 0;
  private key: string | undefined;

  /** Puts `position` back on its row, wherever the sort, filter, grouping or snapshot moved it. */
  follow(view: TableView): void {
    const position = view.positionOf(this.key);
    if (position >= 0) this.position = position;
    else {
      // The row is gone or filtered out: the row now at the same place takes the tab stop.
      this.position = Math.max(0, Math.min(view.shownRows.length - 1, this.position));
      this.key = view.shownRows.length ? view.keyAt(this.position) : undefined;
    }
  }

  /** Onto the row at `position` (kept within the rows shown, of which there is at least one). */
  moveTo(view: TableView, position: number): void {
    this.position = Math.max(0, Math.min(view.shownRows.length - 1, position));
    this.key = view.keyAt(this.position);
  }

  set(position: number, key: string): void {
    this.position = position;
    this.key = key;
  }

  /** Back to the first row, for a table the user filtered anew. */
  reset(): void {
    this.position = 0;
    this.key = undefined;
  }
}
/** The position a navigation key moves the focus to from `position`; undefined for any other key. */
export function positionAfterKey(key: string, position: number, pageRows: number, rowCount: number): number | undefined {
  const moves: Record<string, number> = {
    ArrowDown: position + 1,
    ArrowUp: position - 1,
    PageDown: position + pageRows,
    PageUp: position - pageRows,
    Home: 0,
    End: rowCount - 1,
  };
  return Object.hasOwn(moves, key) ? moves[key] : undefined;
}

/** Rebuilding a row or header removes the focused button: the new one with the same `attribute` takes the focus back. */
export function keepingFocus(container: HTMLElement, attribute: string, rebuild: () => void): void {
  const focused = container.contains(document.activeElement) ? (document.activeElement as HTMLElement).getAttribute(attribute) : null;
  rebuild();
  if (focused !== null) container.querySelector<HTMLElement>(`[${attribute}="${CSS.escape(focused)}"]`)?.focus({ preventScroll: true });
}
