import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CheckpointListing } from '../../src/runFolder/listCheckpoints';
import { accuracySummary, errorLineOf, firstUsefulLine, resumePoint } from '../../src/runFolder/runEndSummary';
import { runChannelName } from '../../src/host/runsView/runChannelName';

describe("a run's end in one line", () => {
  it('lists each model’s accuracy, the student first, then its teachers, skipping models without a value', () => {
    assert.equal(accuracySummary({ teacher: 0.317, student: 0.283 }), 'student 28.3%, teacher 31.7%');
    assert.equal(
      accuracySummary({ 'teacher-usps': 0.5, other: 0.1, student: 0.4, 'teacher-svhn': 0.25, none: undefined, nan: Number.NaN }),
      'student 40.0%, teacher-svhn 25.0%, teacher-usps 50.0%, other 10.0%',
    );
    assert.equal(accuracySummary({}), '');
  });

  it('takes the first line of an error that says something, never a stack frame', () => {
    assert.equal(
      firstUsefulLine('\n  Error: model.json: not a tfjs layers model\n    at load (/x/trainer.js:1:2)\n'),
      'Error: model.json: not a tfjs layers model',
    );
    assert.equal(firstUsefulLine('    at f (/x.js:1:2)\nreal reason'), 'real reason');
    assert.equal(firstUsefulLine(''), undefined);
    assert.equal(firstUsefulLine(undefined), undefined);
    assert.equal(firstUsefulLine('x'.repeat(400))?.length, 300);
  });

  it('finds the error line in a process’s last output when none was recorded', () => {
    const tail = ['epoch 1/5: student 50.0% mean target accuracy', 'Error: out of memory', '    at alloc (/x.js:1:2)', 'Node.js v20.0.0'];
    assert.equal(errorLineOf(tail), 'Error: out of memory');
    assert.equal(errorLineOf(['first', 'last', '    at f (/x.js:1:2)']), 'last');
    assert.equal(errorLineOf([]), undefined);
  });

  it('says where Resume continues: the latest checkpoint, at an epoch’s end or mid-epoch; nothing without one', () => {
    const set = (role: string, name: string, epoch: number, stepInEpoch: number, globalStep: number, latest: boolean): CheckpointListing => ({
      role,
      set: name,
      dir: `/r/checkpoints/${role}/${name}`,
      architecture: 'lenet5',
      epoch,
      stepInEpoch,
      globalStep,
      bytes: 1,
      latest,
    });
    assert.equal(resumePoint([set('teacher', 'epoch-1', 1, 50, 50, false), set('teacher', 'epoch-2', 2, 50, 100, true)]), 'the end of epoch 2');
    assert.equal(resumePoint([set('student', 'epoch-2', 2, 50, 100, false), set('student', 'epoch-3-step-40', 3, 40, 140, true)]), 'epoch 3, step 40');
    assert.equal(resumePoint([set('student', 'epoch-1', 1, 50, 50, false)]), undefined, 'no latest set: nothing to resume from');
    assert.equal(resumePoint([]), undefined);
  });

  it('names a run’s output channel by its experiment and start, so two runs of one experiment differ and a resume says so', () => {
    const launched = new Date(2026, 11, 7, 11, 40, 2);
    assert.equal(runChannelName('kd-stda', '/runs/20261207-112614-kd-stda', launched, false), 'KD-UDA run: kd-stda · 2026-12-07 11:26:14');
    assert.equal(runChannelName('kd-stda', '/runs/20261207-112301-kd-stda', launched, false), 'KD-UDA run: kd-stda · 2026-12-07 11:23:01');
    assert.equal(runChannelName('kd-stda', '/runs/20261207-112614-kd-stda', launched, true), 'KD-UDA run: kd-stda · 2026-12-07 11:26:14 · resumed 11:40:02');
    assert.equal(runChannelName('kd-stda', undefined, launched, false), 'KD-UDA run: kd-stda · 2026-12-07 11:40:02');
  });
});
