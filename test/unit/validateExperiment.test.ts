import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatExperimentProblem, validateExperimentText } from '../../src/experiment/validateExperiment';

const minimal = { data: { root: './digits', source: 'mnist', targets: ['mnist-photo', 'font-digits'] }, method: { name: 'mt-mtda' } };

function problemsOf(value: unknown, text = JSON.stringify(value, null, 2)) {
  const result = validateExperimentText(text, '/ws/exp/digits-mt.kdexp.json');
  assert.equal(result.ok, false, 'expected problems');
  return result.ok ? [] : result.problems;
}

describe('validateExperimentText', () => {
  it('fills every default, including nested ones, and names the experiment after its file', () => {
    const result = validateExperimentText(JSON.stringify(minimal), '/ws/exp/digits mt.kdexp.json');
    assert.ok(result.ok);
    const { experiment } = result;
    assert.equal(experiment.name, 'digits-mt');
    assert.equal(experiment.version, 1);
    assert.deepEqual(experiment.data.split, { kind: 'holdout', testFraction: 0.2 });
    assert.deepEqual(experiment.method.beta, { start: 0.1, end: 0.9 });
    assert.equal(experiment.method.temperature, 20);
    assert.equal(experiment.method.kdDirection, 'teacher-to-student');
    assert.deepEqual(experiment.teacher, { architecture: 'resnet-small', width: 1 });
    assert.deepEqual(experiment.student, { architecture: 'lenet5', width: 1 });
    assert.equal(experiment.optimizer.momentum, 0.9);
    assert.equal(experiment.backend, 'auto');
  });

  it('reports every schema problem at once, each with its path and line', () => {
    const text = JSON.stringify(
      { data: { root: './d', source: 'a', targets: [], imageSize: 4 }, method: { name: 'kd-xyz', temperature: -1 }, epochs: 0, colour: 'red' },
      null,
      2,
    );
    const problems = problemsOf(undefined, text);
    const byPath = new Map(problems.map((problem) => [problem.path, problem]));
    assert.match(byPath.get('data.targets')?.message ?? '', /must NOT have fewer than 1 items/);
    assert.match(byPath.get('data.imageSize')?.message ?? '', /must be >= 8/);
    assert.match(byPath.get('method.name')?.message ?? '', /must be one of "source-only", "dann", "kd-stda", "kd-mtda", "mt-mtda"/);
    assert.match(byPath.get('method.temperature')?.message ?? '', /must be > 0/);
    assert.match(byPath.get('epochs')?.message ?? '', /must be >= 1/);
    assert.match(byPath.get('colour')?.message ?? '', /unknown field "colour"/);
    const lines = text.split('\n');
    const epochs = byPath.get('epochs')!;
    assert.match(lines[epochs.line! - 1], /"epochs": 0/, 'the line points at the offending value');
  });

  it('places a missing required field on its parent', () => {
    const problems = problemsOf({ data: { root: './d', source: 'a' }, method: { name: 'dann' } });
    assert.equal(problems.length, 1);
    assert.equal(problems[0].path, 'data');
    assert.match(problems[0].message, /missing required field "targets"/);
    assert.equal(problems[0].line, 2);
  });

  it('checks relations between fields', () => {
    const problems = problemsOf({
      data: { root: './d', source: 'mnist', targets: ['svhn', 'mnist'] },
      method: { name: 'kd-stda', beta: { start: 0.9, end: 0.1 } },
    });
    assert.deepEqual(problems.map((problem) => problem.path).sort(), ['data.targets', 'data.targets[1]', 'method.beta']);
    assert.ok(problems.some((problem) => /source domain "mnist" cannot also be a target/.test(problem.message)));
    assert.ok(problems.some((problem) => /kd-stda adapts to exactly one target \(2 given\)/.test(problem.message)));
  });

  it('reports relations between fields together with schema problems', () => {
    const problems = problemsOf({ data: { root: './d', source: 'mnist', targets: ['mnist'] }, method: { name: 'dann' }, epochs: -3 });
    assert.deepEqual(problems.map((problem) => `${problem.kind} ${problem.path}`).sort(), ['relation data.targets[0]', 'schema epochs']);
  });

  it('requires a path for a saved model', () => {
    const problems = problemsOf({ ...minimal, teacher: { architecture: 'saved' } });
    assert.ok(problems.some((problem) => problem.path === 'teacher' && /missing required field "path"/.test(problem.message)));
  });

  it('reports invalid JSON with line and column, and formats problems as file:line:column', () => {
    const problems = problemsOf(undefined, '{\n  "data": {\n    "root": "./d",\n  }\n}');
    assert.ok(problems.length >= 1);
    assert.match(problems[0].message, /invalid JSON/);
    assert.equal(problems[0].line, 4);
    assert.equal(formatExperimentProblem('e.kdexp.json', problems[0]).split(': ')[0], `e.kdexp.json:4:${problems[0].column}`);
  });

  it('says what Slurm would refuse at submission (time limit, memory, a signal before the job starts) on the executor field, before anything is submitted', () => {
    const text = JSON.stringify({ ...minimal, executor: { kind: 'slurm', partition: 'gpu', time: '90m', mem: '4 GB', signalSeconds: 120 } }, null, 2);
    const problems = problemsOf(undefined, text);
    const byPath = new Map(problems.map((problem) => [problem.path, problem]));
    assert.match(byPath.get('executor.time')?.message ?? '', /"90m" is not a Slurm time limit/);
    assert.equal(byPath.get('executor.time')?.line, text.split('\n').findIndex((line) => line.includes('"90m"')) + 1, 'on the time field’s own line');
    assert.match(byPath.get('executor.mem')?.message ?? '', /not a Slurm memory size/);
    const fine = validateExperimentText(JSON.stringify({ ...minimal, executor: { kind: 'slurm', partition: 'gpu', time: '2:00:00' } }), 'e.kdexp.json');
    assert.ok(fine.ok, 'a valid executor passes');
    assert.deepEqual(fine.executor, { kind: 'slurm', partition: 'gpu', time: '2:00:00' });
  });
});
