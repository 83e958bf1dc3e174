import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accuracySummary, errorLineOf, firstUsefulLine } from '../../src/runFolder/runEndSummary';

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
});
