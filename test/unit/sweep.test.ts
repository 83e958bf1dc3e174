import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expandSweep, sweepIdOf, type SweepExpansion } from '../../src/experiment/sweep';
import { formatExperimentProblem, validateExperimentText, type ExperimentProblem } from '../../src/experiment/validateExperiment';

const base = { data: { root: './digits', source: 'mnist', targets: ['mnist-photo', 'font-digits'] }, method: { name: 'dann' } };

function expanded(document: unknown): SweepExpansion {
  const result = expandSweep(document);
  assert.ok(result.ok, JSON.stringify(result));
  return result.expansion;
}

function sweepProblems(document: unknown): string[] {
  const result = expandSweep(document);
  assert.equal(result.ok, false, 'expected problems');
  return result.ok ? [] : result.problems.map((problem) => `${JSON.stringify(problem.segments)} ${problem.message}`);
}

describe('expandSweep', () => {
  it('expands a grid in row-major order of the axes as written, the first axis slowest', () => {
    const { points } = expanded({ ...base, sweep: { 'method.name': ['dann', 'kd-mtda'], seed: [0, 1, 2] } });
    assert.deepEqual(
      points.map((point) => point.values),
      [
        { 'method.name': 'dann', seed: 0 },
        { 'method.name': 'dann', seed: 1 },
        { 'method.name': 'dann', seed: 2 },
        { 'method.name': 'kd-mtda', seed: 0 },
        { 'method.name': 'kd-mtda', seed: 1 },
        { 'method.name': 'kd-mtda', seed: 2 },
      ],
    );
    assert.deepEqual(
      points.map((point) => point.index),
      [0, 1, 2, 3, 4, 5],
    );
    const fifth = points[4].document as typeof base & { seed: number; sweep?: unknown };
    assert.equal(fifth.method.name, 'kd-mtda');
    assert.equal(fifth.seed, 1);
    assert.equal('sweep' in fifth, false, 'a point has no sweep');
    assert.deepEqual(fifth.data, base.data, 'fields no axis sets are the file’s');
  });

  it('reads the axes in the order written, not sorted', () => {
    const { points } = expanded({ ...base, sweep: { seed: [0, 1], 'method.name': ['dann', 'kd-mtda'] } });
    assert.deepEqual(
      points.map((point) => Object.values(point.values)),
      [
        [0, 'dann'],
        [0, 'kd-mtda'],
        [1, 'dann'],
        [1, 'kd-mtda'],
      ],
    );
  });

  it('sets dotted paths into nested objects, creating the ones the file leaves out, and leaves the file unchanged', () => {
    const document = { ...base, sweep: { 'optimizer.studentLr': [0.01, 0.003], 'method.beta.end': [0.5] } };
    const { points } = expanded(document);
    assert.deepEqual((points[1].document as { optimizer: unknown }).optimizer, { studentLr: 0.003 });
    assert.deepEqual((points[1].document as { method: unknown }).method, { name: 'dann', beta: { end: 0.5 } });
    assert.deepEqual(document.method, { name: 'dann' }, 'the file’s objects are not written into');
  });

  it('replaces a field whole with an object or list value, each point with its own copy', () => {
    const { points } = expanded({
      ...base,
      teacher: { architecture: 'resnet-small', width: 1, adaptAt: 'pool' },
      sweep: { teacher: [{ architecture: 'lenet5' }, { architecture: 'resnet-wide', width: 2 }], 'data.targets': [['mnist-photo'], ['font-digits']] },
    });
    assert.equal(points.length, 4);
    assert.deepEqual((points[0].document as { teacher: unknown }).teacher, { architecture: 'lenet5' }, 'not merged into the file’s teacher');
    assert.deepEqual((points[3].document as typeof base).data.targets, ['font-digits']);
    (points[0].document as { teacher: { width?: number } }).teacher.width = 9;
    assert.deepEqual((points[1].document as { teacher: unknown }).teacher, { architecture: 'lenet5' });
  });

  it('gives a file without a sweep as one point with no values', () => {
    const { axes, points } = expanded(base);
    assert.deepEqual(axes, []);
    assert.deepEqual(points, [{ index: 0, values: {}, document: base }]);
  });

  it('refuses a sweep that is no object, an axis that is no non-empty list, and repeated values', () => {
    assert.match(sweepProblems({ ...base, sweep: [['seed', 1]] })[0], /\["sweep"\] must be an object of dotted field paths/);
    assert.match(sweepProblems({ ...base, sweep: {} })[0], /names no axis/);
    assert.deepEqual(sweepProblems({ ...base, sweep: { seed: 3, epochs: [], batchSize: [8, 16, 8] } }), [
      '["sweep","seed"] must be a non-empty list of the values to run',
      '["sweep","epochs"] must be a non-empty list of the values to run',
      '["sweep","batchSize",2] repeats value 1 of "batchSize": each point would run twice',
    ]);
  });

  it('refuses paths that are empty, set the sweep, the executor or the version, overlap, or go through a list', () => {
    const problems = sweepProblems({
      ...base,
      sweep: {
        '': [1],
        'a..b': [1],
        'sweep.seed': [1],
        executor: [{ kind: 'local' }],
        version: [1],
        method: [{ name: 'dann' }],
        'method.name': ['dann'],
        'data.targets.0': ['x'],
      },
    });
    assert.deepEqual(problems, [
      '["sweep",""] "" is no field path: give field names joined by dots, as in "optimizer.studentLr"',
      '["sweep","a..b"] "a..b" is no field path: give field names joined by dots, as in "optimizer.studentLr"',
      '["sweep","sweep.seed"] "sweep.seed" cannot be swept: a sweep cannot sweep itself',
      '["sweep","executor"] "executor" cannot be swept: where runs execute changes no result, so it is set once for the whole sweep, not swept',
      '["sweep","version"] "version" cannot be swept: the file format version is not a setting',
      '["sweep","method.name"] overlaps the axis "method", which sets all of method: sweep one or the other',
      '["sweep","data.targets.0"] cannot set "data.targets.0": data.targets is a list, not an object of fields; an axis sets a whole field (sweep a list whole, as in "data.targets": [["a"], ["b"]])',
    ]);
  });
});

describe('sweepIdOf', () => {
  const id = (document: Record<string, unknown>) => sweepIdOf('digits', document, expanded(document).axes);
  const sweep = { 'method.name': ['dann', 'kd-mtda'], seed: [0, 1] };

  it('is the name and 8 hex digits, the same for the same sweep however the file is laid out or where it executes', () => {
    const first = id({ ...base, sweep });
    assert.match(first, /^digits-[0-9a-f]{8}$/);
    assert.equal(id({ ...base, sweep }), first);
    assert.equal(
      id({ sweep, method: base.method, data: { targets: base.data.targets, source: 'mnist', root: './digits' } }),
      first,
      'key order does not matter',
    );
    assert.equal(id({ ...base, sweep, executor: { kind: 'slurm', partition: 'gpu' } }), first, 'the executor does not matter');
  });

  it('differs when a setting, a value or the order of the axes differs', () => {
    const first = id({ ...base, sweep });
    assert.notEqual(id({ ...base, epochs: 3, sweep }), first);
    assert.notEqual(id({ ...base, sweep: { ...sweep, seed: [0, 2] } }), first);
    assert.notEqual(id({ ...base, sweep: { seed: [0, 1], 'method.name': ['dann', 'kd-mtda'] } }), first);
  });
});

describe('validateExperimentText on a sweep', () => {
  const file = '/ws/exp/digits.kdexp.json';
  function problemsOf(text: string): ExperimentProblem[] {
    const result = validateExperimentText(text, file);
    assert.equal(result.ok, false, 'expected problems');
    return result.ok ? [] : result.problems;
  }
  /** The text of `problem`'s place in `text`. */
  const placed = (text: string, problem: ExperimentProblem) => text.slice(problem.offset, problem.offset! + problem.length!);

  it('gives every point, validated with defaults, the sweep id and the executor (which no point carries)', () => {
    const result = validateExperimentText(
      JSON.stringify({ ...base, executor: { kind: 'local' }, sweep: { 'method.name': ['dann', 'mt-mtda'], seed: [0, 1, 2] } }),
      file,
    );
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.points.length, 6);
    assert.equal(result.points[5].experiment.method.name, 'mt-mtda');
    assert.equal(result.points[5].experiment.seed, 2);
    assert.equal(result.points[5].experiment.method.temperature, 20, 'defaults filled');
    assert.equal(result.points[5].experiment.name, 'digits');
    assert.equal('executor' in result.points[0].experiment, false);
    assert.equal('sweep' in result.points[0].experiment, false);
    assert.deepEqual(result.executor, { kind: 'local' });
    assert.match(result.sweep!.id, /^digits-[0-9a-f]{8}$/);
  });

  it('gives a file without a sweep as one point and no sweep', () => {
    const result = validateExperimentText(JSON.stringify(base), file);
    assert.ok(result.ok);
    assert.equal(result.points.length, 1);
    assert.deepEqual(result.points[0].values, {});
    assert.equal(result.sweep, undefined);
  });

  it('places a point’s problem once, on the sweep value that causes it, naming the points', () => {
    const text = JSON.stringify({ ...base, sweep: { 'method.name': ['dann', 'kd-stda'], seed: [0, 1, 2] } }, null, 2);
    const problems = problemsOf(text);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    const [problem] = problems;
    assert.equal(problem.kind, 'relation', 'the editor’s diagnostics show relations');
    assert.equal(problem.path, 'data.targets');
    assert.equal(
      problem.message,
      'sweep points 4-6 of 6 (method.name=kd-stda): kd-stda adapts to exactly one target (2 given); use kd-mtda or mt-mtda for several',
    );
    assert.deepEqual(problem.points, [3, 4, 5]);
    assert.equal(placed(text, problem), '"kd-stda"');
    assert.match(text.split('\n')[problem.line! - 1], /^\s+"kd-stda"$/);
    assert.match(formatExperimentProblem('digits.kdexp.json', problem), /^digits\.kdexp\.json:\d+:\d+: data\.targets: sweep points 4-6 of 6/);
  });

  it('names a single point with all its values, and places a bad value of a swept field on that value', () => {
    const text = JSON.stringify({ ...base, sweep: { seed: [0, 1], epochs: [2, 0] } }, null, 2);
    const problems = problemsOf(text);
    assert.deepEqual(
      problems.map((problem) => [problem.path, problem.message, placed(text, problem)]),
      [['epochs', 'sweep points 2, 4 of 4 (epochs=0): must be >= 1', '0']],
    );
    const lonely = JSON.stringify(
      { ...base, sweep: { 'method.name': ['dann', 'kd-stda'], 'data.targets': [['mnist-photo'], ['mnist-photo', 'font-digits']] } },
      null,
      2,
    );
    const [problem, ...rest] = problemsOf(lonely);
    assert.deepEqual(rest, []);
    assert.equal(
      problem.message,
      'sweep point 4 of 4 (method.name=kd-stda, data.targets=["mnist-photo","font-digits"]): kd-stda adapts to exactly one target (2 given); use kd-mtda or mt-mtda for several',
    );
    assert.equal(placed(lonely, problem).replace(/\s+/g, ''), '["mnist-photo","font-digits"]', 'on the axis that sets the field');
  });

  it('says a problem every point has once, as the file’s, placed on the axis that creates a field the file lacks', () => {
    const text = JSON.stringify({ ...base, batchSize: 0, sweep: { seed: [0, 1], 'optimiser.lr': [0.1] } }, null, 2);
    const problems = problemsOf(text);
    assert.deepEqual(
      problems.map((problem) => [problem.kind, problem.path, problem.message, placed(text, problem).replace(/\s+/g, '')]).sort(),
      [
        ['relation', 'optimiser', 'unknown field "optimiser"', '[0.1]'],
        ['schema', 'batchSize', 'must be >= 1', '0'],
      ],
      'the axis that creates an unknown field is where it is fixed; the editor’s schema check cannot see it there',
    );
  });

  it('reports problems of the sweep itself together with the rest of the file’s, and an axis given twice', () => {
    const text =
      '{\n  "data": { "root": "d", "source": "a", "targets": ["a"] },\n  "method": { "name": "dann" },\n  "sweep": { "seed": [0], "seed": [1], "version": [1] }\n}';
    const problems = problemsOf(text);
    assert.deepEqual(
      problems.map((problem) => [problem.kind, problem.path, problem.message, problem.line]),
      [
        ['relation', 'sweep', 'the axis "seed" is given twice; give each field one list of values', 4],
        ['relation', 'sweep.version', '"version" cannot be swept: the file format version is not a setting', 4],
        ['relation', 'data.targets[0]', 'the source domain "a" cannot also be a target', 2],
      ],
    );
  });

  it('accepts an executor and checks its shape', () => {
    const ok = validateExperimentText(
      JSON.stringify({ ...base, executor: { kind: 'slurm', partition: 'gpu', time: '1:00:00', sbatchArgs: ['--exclusive'] } }),
      file,
    );
    assert.ok(ok.ok);
    assert.deepEqual(ok.executor, { kind: 'slurm', partition: 'gpu', time: '1:00:00', sbatchArgs: ['--exclusive'] });
    const problems = problemsOf(JSON.stringify({ ...base, executor: { kind: 'local', partition: 'gpu' } }));
    assert.deepEqual(
      problems.map((problem) => `${problem.path}: ${problem.message}`),
      ['executor.partition: unknown field "partition"'],
    );
  });
});
