import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvents } from '../../src/runFolder/eventLog';
import { summariseRun } from '../../src/runFolder/runProgress';
import { assertClose } from './numericChecks';

const lines = [
  { t: 't', kind: 'start', backend: {} },
  { t: 't', kind: 'step', epoch: 1, step: 1, losses: { 'student.ce': 2 } },
  { t: 't', kind: 'eval', epoch: 1, accuracy: { student: { svhn: 0.2, usps: 0.4, 'source-holdout': 0.9 }, teacher: { svhn: 0.5, usps: 0.5 } } },
  { t: 't', kind: 'epoch', epoch: 1, epochs: 5, beta: 0.1, losses: { 'student.ce': 1.5 } },
  { t: 't', kind: 'eval', epoch: 2, accuracy: { student: { svhn: 0.4, usps: 0.6, 'source-holdout': 0.95 }, teacher: { svhn: 0.7, usps: 0.5 } } },
];

describe('summariseRun', () => {
  it('follows a run from its events: history per epoch, last epoch per model, targets without the source hold-out', () => {
    const text = `${lines.map((line) => JSON.stringify(line)).join('\n')}\nnot json\n{"t":"t","kind":"ep`;
    const state = summariseRun('/runs/20261128-090000-x', { state: 'running' }, parseEvents(text));
    assert.equal(state.runId, '20261128-090000-x');
    assert.deepEqual(state.targets, ['svhn', 'usps']);
    assert.equal(state.epochs, 5);
    assert.equal(state.lastEpoch, 2);
    assert.deepEqual(state.history.map((point) => [point.epoch, point.beta, point.losses['student.ce']]), [[1, 0.1, 1.5], [2, undefined, undefined]]);
    assert.deepEqual(state.rows.map((row) => row.role), ['teacher', 'student'], 'teachers first');
    assert.deepEqual(state.rows[1].targets, { svhn: 0.4, usps: 0.6 });
    assertClose(state.rows[1].meanTarget, 0.5, { absolute: 1e-12 }, 'mean target');
    assert.deepEqual(state.skippedEventLines, [6], 'the malformed line is skipped and reported; the torn last line is not');
  });

  it('adds costs and the targets named by results.json once it exists', () => {
    const results = { targets: ['usps', 'svhn'], costs: { student: { parameters: 60000, macsPerImage: 400000, latencyMsPerBatch: 1.5, latencyBatchSize: 64 } } };
    const state = summariseRun('/runs/r', { state: 'done' }, parseEvents(`${lines.map((line) => JSON.stringify(line)).join('\n')}\n`), results as never);
    assert.deepEqual(state.targets, ['usps', 'svhn']);
    const student = state.rows.find((row) => row.role === 'student')!;
    assert.equal(student.parameters, 60000);
    assert.equal(student.latencyBatchSize, 64);
    assert.equal(state.rows.find((row) => row.role === 'teacher')!.parameters, undefined);
  });

  it('survives a malformed evaluation: non-object models are dropped, non-numbers inside ignored', () => {
    const text = [
      { t: 't', kind: 'eval', epoch: 1, accuracy: { student: null, teacher: { svhn: 0.5, usps: 'x' }, other: 3 } },
      { t: 't', kind: 'eval', epoch: 2, accuracy: null },
      { t: 't', kind: 'eval', epoch: 3, accuracy: { student: null } },
    ].map((line) => JSON.stringify(line)).join('\n') + '\n';
    const state = summariseRun('/runs/r', { state: 'running' }, parseEvents(text));
    assert.deepEqual(state.rows.map((row) => row.role), ['teacher']);
    assert.deepEqual(state.targets, ['svhn']);
    assert.equal(state.rows[0].meanTarget, 0.5);
    assert.equal(state.lastEpoch, 1, 'an evaluation with no readable model adds nothing to the history');
  });

  it('means over the targets that have a value; a model with none has no mean, never 0', () => {
    const text = `${JSON.stringify({ t: 't', kind: 'eval', epoch: 1, accuracy: { teacher: { t1: 0.8, t2: 0.6 }, student: { t1: 0.5 }, other: { 'source-holdout': 0.9 } } })}\n`;
    const state = summariseRun('/runs/r', { state: 'running' }, parseEvents(text));
    assert.deepEqual(state.targets, ['t1', 't2']);
    const mean = (role: string) => state.rows.find((row) => row.role === role)?.meanTarget;
    assert.equal(mean('student'), 0.5, 'the missing t2 is not counted as 0');
    assertClose(mean('teacher'), 0.7, { absolute: 1e-12 }, "the teacher's mean");
    assert.equal(mean('other'), undefined);
  });
});
