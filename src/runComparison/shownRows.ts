/**
 * The rows Compare Runs draws, top to bottom: runs, or (grouped by all but seed) groups each
 * followed by its runs when expanded. Pure: the webview's virtual table and its keyboard focus work
 * on this list, and the unit tests check the same list.
 */
import type { RunGroup } from './groupRuns';
import type { ComparisonTable } from './runComparison';

/** `row`: an index into the table's rows; `group`: into the groups (for a run, the group it is shown under). */
export type ShownRow = { kind: 'run'; row: number; group?: number } | { kind: 'group'; group: number; expanded: boolean };

/** Prefix of a group's row key: no run folder path starts with it. */
const GROUP_KEY_PREFIX = 'group:';

export const groupRowKey = (group: RunGroup): string => `${GROUP_KEY_PREFIX}${group.key}`;

/** What keeps a row's identity while rows move: a run's folder, a group's configuration. */
export function shownRowKey(table: ComparisonTable, groups: readonly RunGroup[], shown: ShownRow): string {
  return shown.kind === 'run' ? table.rows[shown.row].runDir : groupRowKey(groups[shown.group]);
}

/** Runs in the order given, one row each. */
export const runRows = (rows: readonly number[]): ShownRow[] => rows.map((row) => ({ kind: 'run', row }));

/** Groups in the order given (indexes into `groups`), each expanded one followed by its runs in their order. */
export function groupedRows(groups: readonly RunGroup[], order: readonly number[], expanded: ReadonlySet<string>): ShownRow[] {
  return order.flatMap((group): ShownRow[] => {
    const open = expanded.has(groups[group].key);
    const header: ShownRow = { kind: 'group', group, expanded: open };
    return open ? [header, ...groups[group].rows.map((row): ShownRow => ({ kind: 'run', row, group }))] : [header];
  });
}

/** Where the row with `key` is among `shown`; -1 when it is not shown (filtered out, gone, or in a collapsed group). */
export function findShownPosition(table: ComparisonTable, groups: readonly RunGroup[], shown: readonly ShownRow[], key: string | undefined): number {
  return key === undefined ? -1 : shown.findIndex((row) => shownRowKey(table, groups, row) === key);
}
