import type { CompareRunsPanelPersistedState, CompareRunsPanelState } from '../../src/protocol/compareRunsMessages';
import {
  buildSearchIndex,
  differingColumns,
  parseFilter,
  rowMatches,
  sortRows,
  type ComparisonColumn,
  type ComparisonTable,
  type SearchIndex,
  type SortDirection,
} from '../../src/runComparison/runComparison';

/**
 * What the table shows of the host's last snapshot as the user chose it: the rows in sort order
 * that pass the filter, and the columns. The choices are what the panel persists. No DOM here.
 */
export class TableView {
  private last: CompareRunsPanelState | undefined;
  /** Every row index in sort order; `visibleRows` is it filtered. */
  private sortedRows: number[] = [];
  visibleRows: number[] = [];
  /** The columns drawn. A new array only when they change: the grid rebuilds its header exactly then. */
  shownColumns: number[] = [];
  /** Built after the first paint (or when a filter needs it first): every cell's text of 1,000 rows is not free. */
  private search: SearchIndex | undefined;

  constructor(public choices: CompareRunsPanelPersistedState) {}

  /** The host's last snapshot; undefined until the first arrives. */
  get snapshot(): CompareRunsPanelState | undefined {
    return this.last;
  }

  get table(): ComparisonTable {
    return this.last?.table ?? { columns: [], rows: [] };
  }

  load(snapshot: CompareRunsPanelState): void {
    this.last = snapshot;
    this.search = undefined;
    // A new table may have other columns at the same positions: the header is drawn afresh.
    this.shownColumns = [];
  }

  searchIndex(): SearchIndex {
    this.search ??= buildSearchIndex(this.table);
    return this.search;
  }

  /** Recomputes the rows and columns after the table or a choice changed; `resort` recomputes the order first. */
  refresh(resort: boolean): void {
    if (resort) this.applySort();
    this.applyFilter();
    const columns = this.chooseColumns();
    if (columns.length !== this.shownColumns.length || columns.some((index, i) => index !== this.shownColumns[i])) this.shownColumns = columns;
  }

  /** Sorts by `key`, ascending first, then the other way on each repeat. */
  sortBy(key: string): void {
    const direction = this.choices.sort?.key === key && this.choices.sort.direction === 'ascending' ? 'descending' : 'ascending';
    this.choices = { ...this.choices, sort: { key, direction } };
  }

  sortDirection(key: string): SortDirection | undefined {
    return key === this.choices.sort?.key ? this.choices.sort.direction : undefined;
  }

  setFilter(filter: string): void {
    this.choices = { ...this.choices, filter };
  }

  setOnlyDiffering(onlyDiffering: boolean): void {
    this.choices = { ...this.choices, onlyDiffering };
  }

  /** Whether the user chose `column`: each column's default until the user chooses any. */
  isChosen(column: ComparisonColumn): boolean {
    return this.choices.columns ? this.choices.columns.includes(column.key) : column.shownByDefault;
  }

  chooseColumn(key: string, shown: boolean): void {
    const chosen = new Set(this.choices.columns ?? this.table.columns.filter((column) => column.shownByDefault).map((column) => column.key));
    if (shown) chosen.add(key);
    else chosen.delete(key);
    this.choices = { ...this.choices, columns: [...chosen] };
  }

  defaultColumns(): void {
    this.choices = { ...this.choices, columns: undefined };
  }

  /** How many chosen columns "only what differs" hides as the same in every run shown. */
  hiddenAsSame(): number {
    return this.choices.onlyDiffering ? this.chosenColumns().length - this.shownColumns.length : 0;
  }

  private applySort(): void {
    const { table } = this;
    const sort = this.choices.sort;
    const column = sort ? table.columns.findIndex((candidate) => candidate.key === sort.key) : -1;
    this.sortedRows = sort && column >= 0 ? sortRows(table, column, sort.direction) : table.rows.map((_, index) => index);
  }

  private applyFilter(): void {
    const terms = parseFilter(this.choices.filter ?? '', this.table.columns);
    if (terms.length === 0) {
      this.visibleRows = this.sortedRows;
      return;
    }
    const index = this.searchIndex();
    this.visibleRows = this.sortedRows.filter((row) => rowMatches(index, row, terms));
  }

  /** The run column always, and the rest as chosen. */
  private chosenColumns(): number[] {
    return this.table.columns.flatMap((column, index) => (index === 0 || this.isChosen(column) ? [index] : []));
  }

  /** The chosen columns; with "only what differs", only those whose values differ among the rows shown. */
  private chooseColumns(): number[] {
    const chosen = this.chosenColumns();
    if (!this.choices.onlyDiffering) return chosen;
    const differs = differingColumns(this.table, this.visibleRows);
    return chosen.filter((index) => index === 0 || differs[index]);
  }
}
