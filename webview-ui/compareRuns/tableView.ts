import { MAX_EXPANDED_GROUPS, type CompareRunsPanelPersistedState, type CompareRunsPanelState } from '../../src/protocol/compareRunsMessages';
import type { PlotCost } from '../../src/runComparison/costPlotPoints';
import { groupCellText, groupRuns, groupsAsTable, type RunGroup } from '../../src/runComparison/groupRuns';
import { findShownPosition, groupedRows, runRows, shownRowKey, type ShownRow } from '../../src/runComparison/shownRows';
import {
  bestValues,
  isBestValue,
  type BestValues,
  buildSearchIndex,
  cellText,
  differingColumns,
  firstSortDirection,
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
 * that pass the filter, and the columns. Grouped by all but seed, the filter picks the runs first
 * (so `state:done` leaves unfinished runs out of the means), then they are grouped, and the groups
 * sort by the chosen column (a metric by its mean). The choices are what the panel persists. No DOM here.
 */
export class TableView {
  private last: CompareRunsPanelState | undefined;
  /** Every row index in sort order; `visibleRows` is it filtered. */
  private sortedRows: number[] = [];
  /** The runs that pass the filter, in sort order. */
  visibleRows: number[] = [];
  /** Grouped: the configurations of the visible runs; empty otherwise. */
  groups: RunGroup[] = [];
  /** One row per group, cells what each sorts by: what sorting and "only what differs" look at. */
  private groupTable: ComparisonTable = { columns: [], rows: [] };
  /** The groups in the order shown (indexes into `groups`). */
  private groupOrder: number[] = [];
  /** What is drawn, top to bottom: runs, or groups each followed by its runs when expanded. */
  shownRows: ShownRow[] = [];
  /** The columns drawn. A new array only when they change: the grid rebuilds its header exactly then. */
  shownColumns: number[] = [];
  /** The best values of each metric column over the rows shown (runs, or groups' means when grouped); see bestValues. */
  best: BestValues = [];
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
    this.applyGrouping();
    this.best = this.choices.grouped ? bestValues(this.groupTable, this.groupOrder) : bestValues(this.table, this.visibleRows);
    const columns = this.chooseColumns();
    if (columns.length !== this.shownColumns.length || columns.some((index, i) => index !== this.shownColumns[i])) this.shownColumns = columns;
  }

  /** Sorts by `key`: accuracies best first, the rest ascending (firstSortDirection), then the other way on each repeat. */
  sortBy(key: string): void {
    const current = this.choices.sort;
    const column = this.table.columns.find((candidate) => candidate.key === key);
    const first = column ? firstSortDirection(column) : 'ascending';
    const direction = current?.key === key ? (current.direction === 'ascending' ? 'descending' : 'ascending') : first;
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

  setGrouped(grouped: boolean): void {
    this.choices = { ...this.choices, grouped };
  }

  setPlot(plot: boolean): void {
    this.choices = { ...this.choices, plot };
  }

  setPlotCost(plotCost: PlotCost): void {
    this.choices = { ...this.choices, plotCost };
  }

  /** Shows or hides a group's runs; the most recent choices are kept when there are more than the state holds. */
  toggleExpanded(groupKey: string): void {
    const expanded = (this.choices.expanded ?? []).filter((key) => key !== groupKey);
    if (!this.choices.expanded?.includes(groupKey)) expanded.push(groupKey);
    this.choices = { ...this.choices, expanded: expanded.slice(-MAX_EXPANDED_GROUPS) };
  }

  /** The identity of the row shown at `position`: a run's folder or a group's configuration. */
  keyAt(position: number): string {
    return shownRowKey(this.table, this.groups, this.shownRows[position]);
  }

  /** Where the row with `key` is shown; -1 when it is not. */
  positionOf(key: string | undefined): number {
    return findShownPosition(this.table, this.groups, this.shownRows, key);
  }

  /** Whether the cell holds its column's best value among the rows shown (a group by its mean). */
  isBest(shown: ShownRow, columnIndex: number): boolean {
    // Grouped, the groups' means compete; their runs, shown beneath, are not marked.
    if ((this.choices.grouped ?? false) !== (shown.kind === 'group')) return false;
    return shown.kind === 'run'
      ? isBestValue(this.table, this.best, shown.row, columnIndex)
      : isBestValue(this.groupTable, this.best, shown.group, columnIndex);
  }

  /** A cell's text as drawn: a run's value, or a group's (`55.0 ± 5.0 (3)`, the seeds `0, 1, 2`, `sweep · 3 runs`). */
  text(shown: ShownRow, columnIndex: number): string {
    return shown.kind === 'run'
      ? cellText(this.table.columns[columnIndex], this.table.rows[shown.row].cells[columnIndex])
      : this.groupText(this.groups[shown.group], columnIndex);
  }

  /** Every text a column holds in what may be drawn, for its width: the runs', and the groups' when grouped. */
  columnTexts(columnIndex: number): string[] {
    const { table } = this;
    const column = table.columns[columnIndex];
    const runs = table.rows.map((row) => cellText(column, row.cells[columnIndex]));
    return [...runs, ...this.groups.map((group) => this.groupText(group, columnIndex))];
  }

  private groupText(group: RunGroup, columnIndex: number): string {
    const text = groupCellText(this.table.columns[columnIndex], group.cells[columnIndex]);
    const runs = group.rows.length;
    return columnIndex === 0 ? `${text} · ${runs} ${runs === 1 ? 'run' : 'runs'}` : text;
  }

  /** The runs shown grouped, group after group in the order shown: what Export Results writes. */
  groupedRunDirs(): string[] {
    return this.groupOrder.flatMap((group) => this.groups[group].rows.map((row) => this.table.rows[row].runDir));
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

  private applyGrouping(): void {
    if (!this.choices.grouped) {
      this.groups = [];
      this.groupOrder = [];
      this.shownRows = runRows(this.visibleRows);
      return;
    }
    const { table } = this;
    this.groups = groupRuns(table, this.visibleRows);
    this.groupTable = groupsAsTable(table, this.groups);
    const sort = this.choices.sort;
    const column = sort ? table.columns.findIndex((candidate) => candidate.key === sort.key) : -1;
    this.groupOrder = sort && column >= 0 ? sortRows(this.groupTable, column, sort.direction) : this.groups.map((_, index) => index);
    this.shownRows = groupedRows(this.groups, this.groupOrder, new Set(this.choices.expanded));
  }

  /** The run column always, and the rest as chosen. */
  private chosenColumns(): number[] {
    return this.table.columns.flatMap((column, index) => (index === 0 || this.isChosen(column) ? [index] : []));
  }

  /** The chosen columns; with "only what differs", only those whose values differ among the rows shown. */
  private chooseColumns(): number[] {
    const chosen = this.chosenColumns();
    if (!this.choices.onlyDiffering) return chosen;
    // Grouped, a column differs when the groups' cells do: the seeds, the same list in every group, do not.
    const differs = this.choices.grouped ? differingColumns(this.groupTable, this.groupOrder) : differingColumns(this.table, this.visibleRows);
    return chosen.filter((index) => index === 0 || differs[index]);
  }
}
