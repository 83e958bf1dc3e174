import { findRunPosition } from '../../src/runComparison/runComparison';
import type { TableView } from './tableView';

/**
 * The row whose button is in the tab order (one stop for the whole table), as a position among
 * the rows shown and the run that was there when the user put it there: a new snapshot or sort
 * moves runs, so the position is found again from the run, and Enter still opens the run the user
 * chose.
 */
export class RowFocus {
  position = 0;
  private runDir: string | undefined;

  /** Puts `position` back on `runDir`, wherever the sort, filter or snapshot moved it. */
  follow(view: TableView): void {
    const { table, visibleRows } = view;
    const position = findRunPosition(table, visibleRows, this.runDir);
    if (position >= 0) this.position = position;
    else {
      // The run is gone or filtered out: the row now at the same place takes the tab stop.
      this.position = Math.max(0, Math.min(visibleRows.length - 1, this.position));
      this.runDir = visibleRows.length ? table.rows[visibleRows[this.position]].runDir : undefined;
    }
  }

  /** Onto the row at `position` (kept within the rows shown, of which there is at least one). */
  moveTo(view: TableView, position: number): void {
    this.position = Math.max(0, Math.min(view.visibleRows.length - 1, position));
    this.runDir = view.table.rows[view.visibleRows[this.position]].runDir;
  }

  set(position: number, runDir: string): void {
    this.position = position;
    this.runDir = runDir;
  }

  /** Back to the first row, for a table the user filtered anew. */
  reset(): void {
    this.position = 0;
    this.runDir = undefined;
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
