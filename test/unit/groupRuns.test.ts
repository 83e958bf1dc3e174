import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupCellText, groupRuns, groupsAsTable, metricStats, type GroupCell, type RunGroup } from '../../src/runComparison/groupRuns';
import { exportGroupedTable } from '../../src/runComparison/groupedTableFormats';
import { buildComparisonTable, sortRows, type ComparisonTable, type RunRecord } from '../../src/runComparison/runComparison';

const experiment = (name: string, lr: number, seed: number, root = './digits') => ({
  name,
  data: { root, source: 'mnist', targets: ['svhn', 'usps'] },
  method: { name: 'kd-mtda' },
  optimizer: { studentLr: lr },
  seed,
});

/** A finished run whose student scores `svhn` and `usps`; their mean is the headline. */
function run(runId: string, lr: number, seed: number, svhn: number, usps: number, fields: Partial<RunRecord> = {}): RunRecord {
  return {
    runId,
    runDir: `/runs/${runId}`,
    state: 'done',
    experiment: experiment('sweep', lr, seed),
    targets: ['svhn', 'usps'],
    models: [{ role: 'student', accuracy: { svhn, usps }, meanTarget: (svhn + usps) / 2, parameters: 61_706, macsPerImage: 416_520 }],
    ...fields,
  };
}

/**
 * Two configurations of three seeds, newest first as the panel reads them. lr 0.001: student means
 * 0.50, 0.55, 0.60 (55.0 ± 5.0). lr 0.01: 0.70 and 0.80 (75.0 ± 7.1), and seed 2 still running
 * without an evaluation, so its metrics are missing (n 2 of 3).
 */
function sweep(): ComparisonTable {
  return buildComparisonTable([
    run('20261106-a', 0.01, 2, 0, 0, { state: 'running', models: [] }),
    run('20261105-b', 0.01, 1, 0.75, 0.85),
    run('20261104-c', 0.01, 0, 0.6, 0.8),
    run('20261103-d', 0.001, 2, 0.6, 0.6),
    run('20261102-e', 0.001, 1, 0.5, 0.6),
    run('20261101-f', 0.001, 0, 0.4, 0.6),
  ]);
}

const columnIndex = (table: ComparisonTable, key: string): number => {
  const index = table.columns.findIndex((column) => column.key === key);
  assert.ok(index >= 0, `no column ${key}`);
  return index;
};
const cellOf = (table: ComparisonTable, group: RunGroup, key: string): GroupCell => group.cells[columnIndex(table, key)];
const textOf = (table: ComparisonTable, group: RunGroup, key: string): string =>
  groupCellText(table.columns[columnIndex(table, key)], cellOf(table, group, key));

describe('Compare Runs grouped by all but seed', () => {
  it('computes mean, sample standard deviation (n − 1) and n, none for a single run and n 0 for none', () => {
    const stats = metricStats([0.5, 0.55, 0.6]);
    assert.equal(stats.n, 3);
    assert.ok(Math.abs(stats.mean! - 0.55) < 1e-12);
    assert.ok(Math.abs(stats.std! - 0.05) < 1e-12, `std ${stats.std}`);
    assert.deepEqual(metricStats([0.3, null, Number.NaN, 'x']), { mean: 0.3, n: 1 });
    assert.deepEqual(metricStats([null]), { n: 0 });
  });

  it('makes one row per configuration, in the order of its first run, its runs in the order given', () => {
    const table = sweep();
    const groups = groupRuns(table);
    assert.deepEqual(
      groups.map((group) => group.rows.map((row) => table.rows[row].runId)),
      [
        ['20261106-a', '20261105-b', '20261104-c'],
        ['20261103-d', '20261102-e', '20261101-f'],
      ],
    );
    assert.equal(groups[0].label, 'sweep', 'the shared name labels the group');
    // A group's key is its configuration: the same on another read, whatever else the table holds.
    assert.equal(groupRuns(buildComparisonTable([run('x', 0.01, 7, 0.1, 0.1)]))[0].key, groups[0].key);
  });

  it('shows every metric as mean ± std (n) in percent, n counting only the runs that have it', () => {
    const table = sweep();
    const [lr01, lr001] = groupRuns(table);
    assert.equal(textOf(table, lr001, 'acc.student.mean'), '55.0 ± 5.0 (3)');
    assert.equal(textOf(table, lr001, 'acc.student.svhn'), '50.0 ± 10.0 (3)');
    assert.equal(textOf(table, lr001, 'acc.student.usps'), '60.0 ± 0.0 (3)');
    // 0.70 and 0.80: sqrt((0.05² + 0.05²) / 1) = 0.0707.
    assert.equal(textOf(table, lr01, 'acc.student.mean'), '75.0 ± 7.1 (2)');
    assert.deepEqual({ ...cellOf(table, lr01, 'acc.student.mean'), mean: undefined, std: undefined }, { kind: 'stats', n: 2, mean: undefined, std: undefined });
  });

  it('shows a field the runs agree on once and lists the values of one they differ in (the seeds)', () => {
    const table = sweep();
    const [lr01, lr001] = groupRuns(table);
    assert.deepEqual(cellOf(table, lr001, 'seed'), { kind: 'differs', values: [0, 1, 2] });
    assert.equal(textOf(table, lr001, 'seed'), '0, 1, 2');
    assert.deepEqual(cellOf(table, lr001, 'optimizer.studentLr'), { kind: 'same', value: 0.001 });
    assert.deepEqual(cellOf(table, lr001, 'state'), { kind: 'same', value: 'done' });
    assert.deepEqual(cellOf(table, lr01, 'state'), { kind: 'differs', values: ['done', 'running'] });
    assert.equal(textOf(table, lr001, 'run'), 'sweep');
    // Start times seconds apart differ, but read as one minute: shown once.
    const started = buildComparisonTable([
      run('s1', 0.01, 0, 0.5, 0.5, { startedAt: '2026-11-10T09:00:01.000Z' }),
      run('s0', 0.01, 1, 0.5, 0.5, { startedAt: '2026-11-10T09:00:00.000Z' }),
    ]);
    const [group] = groupRuns(started);
    assert.equal(cellOf(started, group, 'started').kind, 'differs');
    assert.equal(textOf(started, group, 'started'), '2026-11-10 09:00');
  });

  it('groups runs of one configuration despite their names, never runs whose data.root is written differently', () => {
    const table = buildComparisonTable([
      run('r3', 0.01, 0, 0.5, 0.5, { experiment: experiment('from-file-b', 0.01, 0) }),
      run('r2', 0.01, 1, 0.5, 0.5, { experiment: experiment('from-file-a', 0.01, 1) }),
      run('r1', 0.01, 2, 0.5, 0.5, { experiment: experiment('from-file-a', 0.01, 2, '/data/digits') }),
    ]);
    const groups = groupRuns(table);
    assert.deepEqual(
      groups.map((group) => group.rows.map((row) => table.rows[row].runId)),
      [['r3', 'r2'], ['r1']],
    );
    assert.equal(groups[0].label, 'r3', 'names differ: the first run labels the group');
    assert.equal(textOf(table, groups[0], 'name'), 'from-file-a, from-file-b');
  });

  it('keeps each run whose experiment.json could not be read in a group of its own', () => {
    const table = buildComparisonTable([
      { runId: 'broken-1', runDir: '/runs/broken-1', targets: [], models: [], problem: 'experiment.json is missing' },
      { runId: 'broken-2', runDir: '/runs/broken-2', targets: [], models: [], problem: 'experiment.json is missing' },
      run('ok', 0.01, 0, 0.5, 0.5),
    ]);
    assert.deepEqual(
      groupRuns(table).map((group) => group.label),
      ['broken-1', 'broken-2', 'sweep'],
    );
  });

  it('groups only the rows given (the filter keeps runs before grouping), in their order', () => {
    const table = sweep();
    const done = table.rows.flatMap((row, index) => (row.cells[columnIndex(table, 'state')] === 'done' ? [index] : []));
    // Oldest first now: the lr 0.001 runs come first, and within a group the runs keep that order.
    const [lr001, lr01] = groupRuns(table, [...done].reverse());
    assert.equal(lr001.rows.length, 3);
    assert.deepEqual(
      lr01.rows.map((row) => table.rows[row].runId),
      ['20261104-c', '20261105-b'],
    );
    assert.deepEqual(cellOf(table, lr01, 'state'), { kind: 'same', value: 'done' });
  });

  it('sorts groups by a metric’s mean, missing last', () => {
    const table = sweep();
    const groups = groupRuns(table);
    const byGroup = groupsAsTable(table, groups);
    const mean = columnIndex(table, 'acc.student.mean');
    assert.deepEqual(
      sortRows(byGroup, mean, 'ascending').map((row) => groups[row].key),
      [groups[1].key, groups[0].key],
    );
    assert.deepEqual(
      sortRows(byGroup, mean, 'descending').map((row) => groups[row].key),
      [groups[0].key, groups[1].key],
    );
  });
});

describe('Export Results of the grouped table', () => {
  const keys = ['method.name', 'optimizer.studentLr', 'seed', 'acc.student.mean', 'params.student'];

  it('writes Markdown as a paper prints it: mean ± std in percent, n, a constant cost once', () => {
    assert.equal(
      exportGroupedTable(sweep(), keys, 'markdown', 'caption'),
      [
        '<!-- caption -->',
        '| configuration | n | method.name | optimizer.studentLr | seed | student mean | student params |',
        '|---|--:|---|---|---|--:|--:|',
        '| sweep | 3 | kd-mtda | 0.01 | 0, 1, 2 | 75.0 ± 7.1 (n = 2) | 61.7 k (n = 2) |',
        '| sweep | 3 | kd-mtda | 0.001 | 0, 1, 2 | 55.0 ± 5.0 | 61.7 k |',
        '',
      ].join('\n'),
    );
  });

  it('writes CSV with separate mean, std and n columns', () => {
    assert.equal(
      exportGroupedTable(sweep(), ['acc.student.mean'], 'csv', 'caption'),
      ['configuration,n,student mean mean,student mean std,student mean n', 'sweep,3,75.0,7.1,2', 'sweep,3,55.0,5.0,3', ''].join('\n'),
    );
  });
});
