import type { ColumnGroup } from '../../src/runComparison/runComparison';
import { el } from '../shared/dom';
import type { TableView } from './tableView';

const GROUP_LABELS: Record<ColumnGroup, string> = { run: 'Run', experiment: 'Experiment', metric: 'Metrics (last epoch)' };

export interface ChooserActions {
  /** A column's box was checked (`shown`) or unchecked. */
  choose(key: string, shown: boolean): void;
  /** "Default columns" was pressed. */
  defaults(): void;
}

/** The "Columns" disclosure: a checkbox per column but the run's, by group, and "Default columns". */
export class ColumnChooser {
  private readonly list = el('div', { class: 'chooser-list' });
  /** How many columns are shown of how many there are: says there is more to see, one click away. */
  private readonly count = el('span', { id: 'columns-count' });
  readonly element = el(
    'details',
    { id: 'column-chooser' },
    el('summary', { title: 'Show or hide any experiment field, metric or run column' }, 'Columns ', this.count),
    this.list,
  );

  constructor(actions: ChooserActions) {
    this.list.addEventListener('change', (event) => {
      const box = event.target as HTMLInputElement;
      if (box.dataset.column) actions.choose(box.dataset.column, box.checked);
    });
    this.list.addEventListener('click', (event) => {
      if ((event.target as HTMLElement).id === 'columns-default') actions.defaults();
    });
  }

  /** `(7 of 45)`: the columns drawn (after "only what differs") of all the table has. */
  renderCount(view: TableView): void {
    this.count.textContent = `(${view.shownColumns.length} of ${view.table.columns.length})`;
  }

  render(view: TableView): void {
    const { columns } = view.table;
    const groups = (['run', 'experiment', 'metric'] as const).map((group) => {
      const boxes = columns.flatMap((column, index) => {
        if (column.group !== group || index === 0) return [];
        const box = el('input', { type: 'checkbox', 'data-column': column.key });
        box.checked = view.isChosen(column);
        return [el('label', {}, box, column.label)];
      });
      return boxes.length ? [el('fieldset', {}, el('legend', {}, GROUP_LABELS[group]), ...boxes)] : [];
    });
    const defaults = el('button', { type: 'button', id: 'columns-default' }, 'Default columns');
    this.list.replaceChildren(...groups.flat(), defaults);
  }
}
