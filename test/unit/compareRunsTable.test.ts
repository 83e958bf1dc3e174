import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupRuns } from '../../src/runComparison/groupRuns';
import { findShownPosition, groupedRows, groupRowKey, runRows } from '../../src/runComparison/shownRows';
import {
  bestValues,
  buildComparisonTable,
  isBestValue,
  buildSearchIndex,
  cellText,
  differingColumns,
  domainsText,
  firstSortDirection,
  flattenFields,
  parseFilter,
  rowMatches,
  sortRows,
  type ComparisonTable,
  type RunRecord,
} from '../../src/runComparison/runComparison';

function record(runId: string, fields: Partial<RunRecord> = {}): RunRecord {
  return { runId, runDir: `/runs/${runId}`, targets: [], models: [], ...fields };
}

const experiment = (method: string, lr: number, teacher = 'resnet-small') => ({
  name: 'digits',
  data: { root: './digits', source: 'mnist', targets: ['svhn', 'usps'] },
  teacher: { architecture: teacher, width: 1 },
  student: { architecture: 'lenet5', width: 1 },
  method: { name: method },
  optimizer: { studentLr: lr },
});

const models = (student: [number, number], teacher: [number, number]) => [
  { role: 'student', accuracy: { svhn: student[0], usps: student[1] }, meanTarget: (student[0] + student[1]) / 2, parameters: 61_706, macsPerImage: 416_520 },
  {
    role: 'teacher',
    accuracy: { svhn: teacher[0], usps: teacher[1] },
    meanTarget: (teacher[0] + teacher[1]) / 2,
    parameters: 1_200_000,
    macsPerImage: 9_000_000,
  },
];

function sample(): ComparisonTable {
  return buildComparisonTable([
    record('20261103-100000-c', {
      state: 'done',
      startedAt: '2026-11-03T10:00:01.000Z',
      epochsRun: 20,
      experiment: experiment('kd-mtda', 0.001),
      targets: ['svhn', 'usps'],
      models: models([0.5, 0.9], [0.6, 0.95]),
    }),
    record('20261102-100000-b', {
      state: 'running',
      startedAt: '2026-11-02T10:00:01.000Z',
      epochsRun: 3,
      experiment: experiment('kd-stda', 0.01, 'resnet-wide'),
      targets: ['svhn', 'usps'],
      models: [{ role: 'student', accuracy: { svhn: 0.2, usps: 0.4 }, meanTarget: 0.3 }],
    }),
    record('20261101-100000-a', {
      state: 'done',
      startedAt: '2026-11-01T10:00:01.000Z',
      epochsRun: 20,
      experiment: experiment('kd-mtda', 0.0001),
      targets: ['svhn', 'usps'],
      models: models([0.7, 0.8], [0.65, 0.92]),
    }),
    record('20261104-100000-broken', { problem: 'status.json is missing' }),
  ]);
}

const column = (table: ComparisonTable, key: string): number => {
  const index = table.columns.findIndex((entry) => entry.key === key);
  assert.ok(index >= 0, `no column ${key} in ${table.columns.map((entry) => entry.key).join(', ')}`);
  return index;
};
const runIds = (table: ComparisonTable, order: number[]): string[] => order.map((row) => table.rows[row].runId);

describe('Compare Runs table', () => {
  it('flattens experiment fields to dotted paths, arrays of plain values to one cell', () => {
    const fields = flattenFields({
      method: { name: 'kd-mtda', beta: { start: 0.1, end: 0.9 } },
      data: { targets: ['svhn', 'usps'], augment: { flip: false } },
      stepsPerEpoch: null,
    });
    assert.deepEqual(Object.fromEntries(fields), {
      'method.name': 'kd-mtda',
      'method.beta.start': 0.1,
      'method.beta.end': 0.9,
      'data.targets': 'svhn, usps',
      'data.augment.flip': false,
      stepsPerEpoch: null,
    });
  });

  it('has one row per run: run, method, source → targets first, then run fields, experiment fields in file order, then metrics teachers first', () => {
    const table = sample();
    assert.deepEqual(
      table.rows.map((row) => row.runId),
      ['20261103-100000-c', '20261102-100000-b', '20261101-100000-a', '20261104-100000-broken'],
    );
    const keys = table.columns.map((entry) => entry.key);
    assert.deepEqual(keys.slice(0, 6), ['run', 'method.name', 'domains', 'state', 'started', 'epochsRun']);
    assert.deepEqual(keys.slice(6, 14), [
      'name',
      'data.root',
      'data.source',
      'data.targets',
      'teacher.architecture',
      'teacher.width',
      'student.architecture',
      'student.width',
    ]);
    assert.deepEqual(keys.slice(15), [
      'acc.student.mean',
      'acc.student.svhn',
      'acc.student.usps',
      'params.student',
      'macs.student',
      'acc.teacher.mean',
      'acc.teacher.svhn',
      'acc.teacher.usps',
      'params.teacher',
      'macs.teacher',
    ]);
    const row = table.rows[0].cells;
    assert.equal(row[column(table, 'optimizer.studentLr')], 0.001);
    assert.equal(row[column(table, 'acc.student.usps')], 0.9);
    assert.equal(row[column(table, 'params.student')], 61_706);
    // A run without a teacher or costs has empty cells there; an unreadable one says so in its state.
    assert.equal(table.rows[1].cells[column(table, 'acc.teacher.mean')], null);
    assert.equal(table.rows[3].cells[column(table, 'state')], 'unreadable');
    assert.equal(table.rows[3].problem, 'status.json is missing');
    assert.equal(row[column(table, 'domains')], 'mnist → svhn, usps');
  });

  it('opens on the run, its method, source → targets, the student’s mean accuracy and costs, then the teachers’ means, in that order', () => {
    const table = sample();
    assert.deepEqual(
      table.columns.filter((entry) => entry.shownByDefault).map((entry) => entry.key),
      ['run', 'method.name', 'domains', 'acc.student.mean', 'params.student', 'macs.student', 'acc.teacher.mean'],
    );
    // Everything else is one click away in the column chooser: the absolute data root, per-target accuracy, the teacher's costs.
    for (const key of ['data.root', 'state', 'started', 'acc.student.svhn', 'acc.teacher.svhn', 'params.teacher', 'optimizer.studentLr'])
      assert.equal(table.columns[column(table, key)].shownByDefault, false, key);
    assert.equal(table.columns[column(table, 'domains')].label, 'source → targets');
  });

  it('derives source → targets from the experiment, the source alone without targets, nothing without a source', () => {
    assert.equal(domainsText(flattenFields({ data: { source: 'mnist', targets: ['mnist-photo', 'usps'] } })), 'mnist → mnist-photo, usps');
    assert.equal(domainsText(flattenFields({ data: { source: 'mnist' } })), 'mnist');
    assert.equal(domainsText(flattenFields({ data: { targets: ['usps'] } })), null);
    // An experiment field named like the derived column does not shadow it.
    const table = buildComparisonTable([record('r', { experiment: { domains: 'mine', data: { source: 'a', targets: ['b'] } } })]);
    assert.equal(table.rows[0].cells[column(table, 'domains')], 'a → b');
  });

  it('sorts accuracies best first on the first click, everything else ascending (costs cheapest first)', () => {
    const table = sample();
    const direction = (key: string) => firstSortDirection(table.columns[column(table, key)]);
    assert.equal(direction('acc.student.mean'), 'descending');
    assert.equal(direction('acc.teacher.svhn'), 'descending');
    assert.equal(direction('params.student'), 'ascending');
    assert.equal(direction('macs.student'), 'ascending');
    assert.equal(direction('run'), 'ascending');
    assert.equal(direction('optimizer.studentLr'), 'ascending');
  });

  it('finds the best of each metric column over the rows shown: highest accuracy, lowest cost, none elsewhere', () => {
    const table = buildComparisonTable([
      record('a', { targets: ['usps'], models: [{ role: 'student', accuracy: { usps: 0.7 }, meanTarget: 0.7, parameters: 500, macsPerImage: 9000 }] }),
      record('b', { targets: ['usps'], models: [{ role: 'student', accuracy: { usps: 0.9 }, meanTarget: 0.9, parameters: 800, macsPerImage: 7000 }] }),
      record('c', { targets: ['usps'], models: [{ role: 'student', accuracy: { usps: Number.NaN }, meanTarget: 0.8, parameters: 300 }] }),
      record('d', { experiment: { seed: 1 }, models: [] }),
      record('e', { targets: ['usps'], models: [{ role: 'student', accuracy: { usps: 0.9 }, meanTarget: 0.9 }] }),
    ]);
    // These runs name no source or targets: every row competes with every other.
    const best = (rows: number[]) => Object.fromEntries(table.columns.map((entry, index) => [entry.key, bestValues(table, rows)[index]?.get('')]));
    const all = best([0, 1, 2, 3]);
    assert.equal(all['acc.student.mean'], 0.9, 'highest accuracy');
    assert.equal(all['acc.student.usps'], 0.9, 'a NaN is no best');
    assert.equal(all['params.student'], 300, 'lowest parameter count');
    assert.equal(all['macs.student'], 7000, 'lowest MACs');
    assert.equal(all.seed, undefined, 'an experiment field has no best');
    assert.equal(all.run, undefined);
    // A filter that leaves b out moves the best to what remains.
    assert.equal(best([0, 2, 3])['acc.student.mean'], 0.8);
    assert.equal(best([0, 2])['macs.student'], undefined, 'one value (c has no MACs) stands out from nothing');
    assert.equal(best([1, 4])['acc.student.mean'], undefined, 'all the same: no best');
    assert.equal(best([0, 1, 4])['acc.student.mean'], 0.9, 'a tie at the top is still the best');
    assert.equal(best([])['acc.student.mean'], undefined, 'no rows, no best');
  });

  it('finds the best mean accuracy among the runs of the same source → targets, and the best per-target accuracy and cost among all', () => {
    const run = (runId: string, targets: string[], accuracy: Record<string, number>, parameters: number): RunRecord =>
      record(runId, {
        experiment: { data: { source: 'mnist', targets } },
        targets,
        models: [{ role: 'student', accuracy, meanTarget: Object.values(accuracy).reduce((a, b) => a + b) / targets.length, parameters }],
      });
    const table = buildComparisonTable([
      run('stda-easy', ['usps'], { usps: 0.9 }, 300),
      run('mtda-1', ['usps', 'svhn'], { usps: 0.8, svhn: 0.4 }, 500),
      run('mtda-2', ['usps', 'svhn'], { usps: 0.7, svhn: 0.3 }, 400),
      run('stda-hard', ['svhn'], { svhn: 0.35 }, 600),
    ]);
    const rows = [0, 1, 2, 3];
    const best = bestValues(table, rows);
    const starred = (key: string) => rows.filter((row) => isBestValue(table, best, row, column(table, key))).map((row) => table.rows[row].runId);
    // The one-target run's 90% is no better than the two-target runs' 60%: a mean over an easy target alone.
    assert.deepEqual(starred('acc.student.mean'), ['mtda-1'], 'the best of the two runs to usps and svhn; a lone run of its targets has nothing to beat');
    assert.deepEqual(starred('acc.student.usps'), ['stda-easy'], 'accuracy on one target compares across runs');
    assert.deepEqual(starred('acc.student.svhn'), ['mtda-1']);
    assert.deepEqual(starred('params.student'), ['stda-easy'], 'a cost compares across runs');
    assert.deepEqual([...best[column(table, 'acc.student.mean')]!.keys()], ['mnist → usps, svhn']);
  });

  it('orders metrics the same whichever run comes first: per model, the student, online-kd’s branches and aggregate, then the teachers; each mean, targets, then costs', () => {
    const mtMtda = record('b', {
      targets: ['svhn'],
      models: [
        { role: 'student', accuracy: { svhn: 0.5 }, meanTarget: 0.5, parameters: 1 },
        { role: 'teacher-svhn', accuracy: { svhn: 0.7 }, meanTarget: 0.7, parameters: 2 },
      ],
    });
    const kdMtda = record('a', {
      targets: ['svhn'],
      models: [
        { role: 'teacher', accuracy: { svhn: 0.6 }, meanTarget: 0.6 },
        { role: 'student', accuracy: { svhn: 0.4 }, meanTarget: 0.4 },
      ],
    });
    const onlineKd = record('c', {
      targets: ['svhn'],
      models: ['aggregate', 'branch-10', 'branch-2', 'branch-1'].map((role) => ({ role, accuracy: { svhn: 0.3 }, meanTarget: 0.3, parameters: 3 })),
    });
    const expected = [
      'acc.student.mean',
      'acc.student.svhn',
      'params.student',
      'acc.branch-1.mean',
      'acc.branch-1.svhn',
      'params.branch-1',
      'acc.branch-2.mean',
      'acc.branch-2.svhn',
      'params.branch-2',
      'acc.branch-10.mean',
      'acc.branch-10.svhn',
      'params.branch-10',
      'acc.aggregate.mean',
      'acc.aggregate.svhn',
      'params.aggregate',
      'acc.teacher.mean',
      'acc.teacher.svhn',
      'acc.teacher-svhn.mean',
      'acc.teacher-svhn.svhn',
      'params.teacher-svhn',
    ];
    for (const records of [
      [mtMtda, kdMtda, onlineKd],
      [kdMtda, onlineKd, mtMtda],
      [onlineKd, mtMtda, kdMtda],
    ]) {
      const table = buildComparisonTable(records);
      assert.deepEqual(
        table.columns.slice(5).map((entry) => entry.key),
        expected,
      );
      const a = table.rows.find((row) => row.runId === 'a')!;
      assert.deepEqual(a.cells.slice(5, 8), [0.4, 0.4, null], 'cells move with their columns');
      assert.deepEqual(a.cells.slice(-5), [0.6, 0.6, null, null, null]);
      // online-kd opens on its deployable branch-1 (with its costs) and the aggregate, not on every branch.
      const shown = table.columns.filter((entry) => entry.shownByDefault && entry.group === 'metric').map((entry) => entry.key);
      assert.deepEqual(shown, [
        'acc.student.mean',
        'params.student',
        'acc.branch-1.mean',
        'params.branch-1',
        'acc.aggregate.mean',
        'acc.teacher.mean',
        'acc.teacher-svhn.mean',
      ]);
    }
  });

  it('adds each model’s latency per image after its costs, hidden until chosen, to 3 significant digits', () => {
    const table = buildComparisonTable([
      record('a', {
        targets: ['svhn'],
        models: [
          { role: 'student', accuracy: { svhn: 0.5 }, meanTarget: 0.5, parameters: 1, macsPerImage: 2, latencyMsPerImage: 0.048_437_5 },
          { role: 'teacher', accuracy: { svhn: 0.7 }, meanTarget: 0.7, parameters: 3, macsPerImage: 4, latencyMsPerImage: 0.640_625 },
        ],
      }),
      record('b', { targets: ['svhn'], models: [{ role: 'student', accuracy: { svhn: 0.4 }, meanTarget: 0.4, parameters: 1, macsPerImage: 2 }] }),
    ]);
    assert.deepEqual(
      table.columns.slice(5).map((entry) => entry.key),
      [
        'acc.student.mean',
        'acc.student.svhn',
        'params.student',
        'macs.student',
        'latency.student',
        'acc.teacher.mean',
        'acc.teacher.svhn',
        'params.teacher',
        'macs.teacher',
        'latency.teacher',
      ],
    );
    const latency = table.columns[column(table, 'latency.student')];
    assert.equal(latency.label, 'student ms/image');
    assert.equal(latency.shownByDefault, false);
    assert.equal(cellText(latency, table.rows[0].cells[column(table, 'latency.student')]), '0.0484');
    assert.equal(table.rows[1].cells[column(table, 'latency.student')], null, 'a run without a latency has none');
  });

  it('never lets an experiment field take over a run column', () => {
    const table = buildComparisonTable([record('r1', { state: 'done', experiment: { state: 'bogus', run: 7 } })]);
    assert.equal(table.columns.filter((entry) => entry.key === 'state').length, 1);
    assert.equal(table.rows[0].cells[column(table, 'state')], 'done');
    assert.equal(table.rows[0].cells[column(table, 'run')], 'r1');
  });

  it('shows accuracy as percent, costs compactly, start times in minutes, missing as empty', () => {
    const table = sample();
    const text = (key: string, row = 0) => cellText(table.columns[column(table, key)], table.rows[row].cells[column(table, key)]);
    assert.equal(text('acc.student.mean'), '70.0%');
    assert.equal(text('params.student'), '61.7K');
    assert.equal(text('macs.teacher'), '9M');
    assert.equal(text('started'), '2026-11-03 10:00');
    assert.equal(text('acc.teacher.mean', 1), '');
  });

  it('sorts numbers by value and text in natural order, missing values last in both directions', () => {
    const table = sample();
    const mean = column(table, 'acc.student.mean');
    assert.deepEqual(runIds(table, sortRows(table, mean, 'ascending')), [
      '20261102-100000-b',
      '20261103-100000-c',
      '20261101-100000-a',
      '20261104-100000-broken',
    ]);
    assert.deepEqual(runIds(table, sortRows(table, mean, 'descending')), [
      '20261101-100000-a',
      '20261103-100000-c',
      '20261102-100000-b',
      '20261104-100000-broken',
    ]);
    const teacherMean = column(table, 'acc.teacher.mean');
    assert.deepEqual(
      runIds(table, sortRows(table, teacherMean, 'descending')).slice(2),
      ['20261102-100000-b', '20261104-100000-broken'],
      'runs without the value keep their order at the end',
    );
    const lr = column(table, 'optimizer.studentLr');
    assert.deepEqual(
      runIds(table, sortRows(table, lr, 'ascending')).slice(0, 3),
      ['20261101-100000-a', '20261103-100000-c', '20261102-100000-b'],
      'learning rates compare as numbers, not as text',
    );
    const natural = buildComparisonTable([record('run-10'), record('run-9'), record('run-2')]);
    assert.deepEqual(runIds(natural, sortRows(natural, 0, 'ascending')), ['run-2', 'run-9', 'run-10']);
  });

  it('filters on words anywhere and on field:value, all terms together, case ignored', () => {
    const table = sample();
    const index = buildSearchIndex(table);
    const matching = (filter: string) =>
      runIds(
        table,
        table.rows.map((_, row) => row).filter((row) => rowMatches(index, row, parseFilter(filter, table.columns))),
      );
    assert.deepEqual(
      matching(''),
      table.rows.map((row) => row.runId),
    );
    assert.deepEqual(matching('KD-STDA'), ['20261102-100000-b']);
    assert.deepEqual(matching('method.name:kd-mtda'), ['20261103-100000-c', '20261101-100000-a']);
    assert.deepEqual(matching('architecture:resnet-wide'), ['20261102-100000-b'], 'a field name matches the end of a dotted key');
    assert.deepEqual(matching('state:done method.name:kd-mtda student.mean:70.0%'), ['20261103-100000-c'], 'every term must match');
    assert.deepEqual(matching('10:00'), ['20261103-100000-c', '20261102-100000-b', '20261101-100000-a'], 'a field that names no column is plain text');
    assert.deepEqual(matching('name:digits broken'), [], 'values match within their column only');
    assert.deepEqual(matching('"status.json is"'), [], 'problems are not cells');
    assert.deepEqual(matching('"2026-11-02 10"'), ['20261102-100000-b'], 'quoted words keep their space');
  });

  it('finds the columns whose values differ among the rows shown', () => {
    const table = sample();
    const differs = (rows: number[]) => table.columns.filter((_, index) => differingColumns(table, rows)[index]).map((entry) => entry.key);
    const doneKdMtda = [0, 2];
    assert.deepEqual(differs(doneKdMtda), [
      'run',
      'started',
      'optimizer.studentLr',
      'acc.student.mean',
      'acc.student.svhn',
      'acc.student.usps',
      'acc.teacher.mean',
      'acc.teacher.svhn',
      'acc.teacher.usps',
    ]);
    assert.ok(differs([0, 1]).includes('teacher.architecture'));
    assert.ok(differs([0, 1]).includes('params.teacher'), 'a field one run lacks differs');
    assert.deepEqual(differs([1]), [], 'one row differs in nothing');
  });

  it('shows a non-finite number as empty, never "NaN", and the filter does not find "nan"', () => {
    const table = buildComparisonTable([
      record('r1', { targets: ['svhn'], models: [{ role: 'student', accuracy: { svhn: Number.NaN }, meanTarget: Number.NaN, parameters: Number.NaN }] }),
      record('r2', { targets: ['svhn'], models: [{ role: 'student', accuracy: { svhn: 0.5 } }] }),
    ]);
    const text = (key: string, row: number) => cellText(table.columns[column(table, key)], table.rows[row].cells[column(table, key)]);
    assert.equal(text('acc.student.mean', 0), '');
    assert.equal(text('acc.student.svhn', 0), '');
    assert.equal(text('params.student', 0), '');
    assert.equal(text('acc.student.mean', 1), '', 'a model without a mean has an empty cell');
    assert.equal(table.rows[1].cells[column(table, 'acc.student.mean')], null);
    const index = buildSearchIndex(table);
    assert.deepEqual(
      [0, 1].filter((row) => rowMatches(index, row, parseFilter('nan', table.columns))),
      [],
    );
  });

  it('finds a run again by its folder after the rows move', () => {
    const table = sample();
    const order = sortRows(table, column(table, 'acc.student.mean'), 'descending');
    assert.equal(findShownPosition(table, [], runRows(order), '/runs/20261103-100000-c'), 1);
    assert.equal(findShownPosition(table, [], runRows([0, 1, 2, 3]), '/runs/20261103-100000-c'), 0);
    assert.equal(findShownPosition(table, [], runRows([1, 2]), '/runs/20261103-100000-c'), -1, 'filtered out');
    assert.equal(findShownPosition(table, [], runRows(order), undefined), -1);
  });

  it('shows each group followed by its runs only when expanded, and finds groups and runs by key', () => {
    const table = sample();
    // kd-mtda at two learning rates, kd-stda, and the unreadable run: four configurations of one run each.
    const groups = groupRuns(table, [0, 2, 1]);
    assert.deepEqual(
      groups.map((group) => group.rows),
      [[0], [2], [1]],
    );
    const shown = groupedRows(groups, [2, 0, 1], new Set([groups[0].key]));
    assert.deepEqual(shown, [
      { kind: 'group', group: 2, expanded: false },
      { kind: 'group', group: 0, expanded: true },
      { kind: 'run', row: 0, group: 0 },
      { kind: 'group', group: 1, expanded: false },
    ]);
    assert.equal(findShownPosition(table, groups, shown, groupRowKey(groups[1])), 3);
    assert.equal(findShownPosition(table, groups, shown, '/runs/20261103-100000-c'), 2, 'a run of an expanded group');
    assert.equal(findShownPosition(table, groups, shown, '/runs/20261102-100000-b'), -1, 'a run of a collapsed group');
  });
});
