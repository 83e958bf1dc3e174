import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { summariseRun } from '../../src/runComparison/runSummary';
import { parseEvents } from '../../src/runFolder/eventLog';
import { assertClose } from './numericChecks';
import { epochEvent, evalEvent, modelCost, stepEvent } from '../fixtures/runFolderFiles';

const lines = [
  stepEvent(1, 1, 5, { 'student.ce': 2 }),
  evalEvent(1, { student: { svhn: 0.2, usps: 0.4, 'source-holdout': 0.9 }, teacher: { svhn: 0.5, usps: 0.5 } }),
  epochEvent(1, 5, { beta: 0.1, losses: { 'student.ce': 1.5 } }),
  evalEvent(2, { student: { svhn: 0.4, usps: 0.6, 'source-holdout': 0.95 }, teacher: { svhn: 0.7, usps: 0.5 } }),
];
const run = (runDir: string) => ({ runId: runDir.split('/').at(-1)!, runDir });

describe('summariseRun', () => {
  it('follows a run from its events: history per epoch, last epoch per model, targets without the source hold-out', () => {
    const text = `${lines.map((line) => JSON.stringify(line)).join('\n')}\nnot json\n{"t":"t","kind":"ep`;
    const state = summariseRun(run('/runs/20261128-090000-x'), { state: 'running' }, parseEvents(text));
    assert.equal(state.runId, '20261128-090000-x');
    assert.deepEqual(state.targets, ['svhn', 'usps']);
    assert.equal(state.epochs, 5);
    assert.equal(state.lastEpoch, 2);
    assert.deepEqual(
      state.history.map((point) => [point.epoch, point.beta, point.losses['student.ce']]),
      [
        [1, 0.1, 1.5],
        [2, undefined, undefined],
      ],
    );
    assert.deepEqual(
      state.rows.map((row) => row.role),
      ['teacher', 'student'],
      'teachers first',
    );
    assert.deepEqual(state.rows[1].targets, { svhn: 0.4, usps: 0.6 });
    assertClose(state.rows[1].meanTarget, 0.5, { absolute: 1e-12 }, 'mean target');
    assert.deepEqual(state.skippedEventLines, [5], 'the malformed line is skipped and reported; the torn last line is not');
  });

  it('counts the images left out as undecodable, each once, and names the first few', () => {
    const problem = (code: string, file: string) => ({ t: 't', kind: 'data-problem', code, message: `Skipped ${file}`, domain: 'svhn', path: file });
    const files = Array.from({ length: 7 }, (_, index) => `/data/svhn/0/${index}.png`);
    const events = [
      problem('undecodable-image', files[0]),
      ...files.map((file) => problem('corrupt-image', file)),
      { t: 't', kind: 'data-problem', code: 'dataset-warning', message: 'a bad list line', path: '/data/list.txt', line: 3 },
      ...lines,
    ];
    const state = summariseRun(run('/runs/r'), { state: 'running' }, parseEvents(`${events.map((line) => JSON.stringify(line)).join('\n')}\n`));
    assert.deepEqual(state.skippedImages, { count: 7, first: files.slice(0, 5) });
    const clean = summariseRun(run('/runs/r'), { state: 'running' }, parseEvents(`${lines.map((line) => JSON.stringify(line)).join('\n')}\n`));
    assert.deepEqual(clean.skippedImages, { count: 0, first: [] });
  });

  it('adds costs and the targets named by results.json once it exists', () => {
    const results = { targets: ['usps', 'svhn'], costs: { student: modelCost(60000, 400000, { latencyMsPerBatch: 1.5, latencyBatchSize: 64 }) } };
    const state = summariseRun(run('/runs/r'), { state: 'done' }, parseEvents(`${lines.map((line) => JSON.stringify(line)).join('\n')}\n`), results);
    assert.deepEqual(state.targets, ['usps', 'svhn']);
    const student = state.rows.find((row) => row.role === 'student')!;
    assert.equal(student.parameters, 60000);
    assert.equal(student.latencyBatchSize, 64);
    assert.equal(state.rows.find((row) => row.role === 'teacher')!.parameters, undefined);
  });

  it('skips a malformed evaluation, naming its line and field, and shows the well-formed ones', () => {
    const text =
      [
        evalEvent(1, { teacher: { svhn: 0.5 } }),
        { ...evalEvent(2, { teacher: { svhn: 0.5 } }), accuracy: { student: null, teacher: { svhn: 0.5 } } },
        { ...evalEvent(3, { teacher: { svhn: 0.5 } }), accuracy: { teacher: { svhn: 0.5, usps: 'x' } } },
        { ...evalEvent(4, { teacher: { svhn: 0.5 } }), accuracy: null },
      ]
        .map((line) => JSON.stringify(line))
        .join('\n') + '\n';
    const parsed = parseEvents(text);
    assert.deepEqual(
      parsed.badLines.map((bad) => bad.message),
      [
        'events.jsonl:2: accuracy.student is not an object',
        'events.jsonl:3: accuracy.teacher.usps is not a number',
        'events.jsonl:4: accuracy is not an object',
      ],
    );
    const state = summariseRun(run('/runs/r'), { state: 'running' }, parsed);
    assert.deepEqual(
      state.rows.map((row) => row.role),
      ['teacher'],
    );
    assert.deepEqual(state.targets, ['svhn']);
    assert.equal(state.rows[0].meanTarget, 0.5);
    assert.equal(state.lastEpoch, 1, 'a skipped evaluation adds nothing to the history');
    assert.deepEqual(state.skippedEventLines, [2, 3, 4]);
  });

  it('means over the targets that have a value; a model with none has no mean, never 0', () => {
    const text = `${JSON.stringify(evalEvent(1, { teacher: { t1: 0.8, t2: 0.6 }, student: { t1: 0.5 }, other: { 'source-holdout': 0.9 } }))}\n`;
    const state = summariseRun(run('/runs/r'), { state: 'running' }, parseEvents(text));
    assert.deepEqual(state.targets, ['t1', 't2']);
    const mean = (role: string) => state.rows.find((row) => row.role === role)?.meanTarget;
    assert.equal(mean('student'), 0.5, 'the missing t2 is not counted as 0');
    assertClose(mean('teacher'), 0.7, { absolute: 1e-12 }, "the teacher's mean");
    assert.equal(mean('other'), undefined);
  });
});
