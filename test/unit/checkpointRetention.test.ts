import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sweepIdOf, expandSweep } from '../../src/experiment/sweep';
import { formatExperimentProblem, validateExperimentText } from '../../src/experiment/validateExperiment';
import { sameRunKey } from '../../src/trainer/cli/prepare';
import { keepsAsSnapshot } from '../../src/trainer/runLoop/checkpointRetention';

const minimal = { data: { root: './digits', source: 'mnist', targets: ['usps'] }, method: { name: 'kd-stda' } };
const FILE = '/ws/exp/digits.kdexp.json';

describe('which replaced checkpoint sets stay as epoch snapshots', () => {
  const steps = 4;
  const endOf = (epoch: number) => ({ epoch, stepInEpoch: steps, globalStep: epoch * steps });
  const kept = (keepEvery: number) => [1, 2, 3, 4, 5, 6].filter((epoch) => keepsAsSnapshot(endOf(epoch), steps, keepEvery));

  it('every k-th epoch end, none for 0', () => {
    assert.deepEqual(kept(1), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(kept(2), [2, 4, 6]);
    assert.deepEqual(kept(5), [5]);
    assert.deepEqual(kept(0), []);
  });

  it('never a set written mid-epoch (a stop), even in an epoch that is kept', () => {
    assert.equal(keepsAsSnapshot({ epoch: 2, stepInEpoch: 1, globalStep: 5 }, steps, 1), false);
    assert.equal(keepsAsSnapshot({ epoch: 4, stepInEpoch: 3, globalStep: 15 }, steps, 2), false);
  });
});

describe('the checkpoints field of an experiment', () => {
  it('defaults to keeping every epoch, and takes 0 and any k', () => {
    for (const [checkpoints, keepEvery] of [
      [undefined, 1],
      [{}, 1],
      [{ keepEvery: 0 }, 0],
      [{ keepEvery: 5 }, 5],
    ] as const) {
      const result = validateExperimentText(JSON.stringify({ ...minimal, ...(checkpoints ? { checkpoints } : {}) }), FILE);
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(result.experiment.checkpoints, { keepEvery });
    }
  });

  it('refuses a negative, fractional or misspelt setting, naming the field and its line', () => {
    const problemsOf = (checkpoints: unknown) => {
      const text = JSON.stringify({ ...minimal, checkpoints }, null, 2);
      const result = validateExperimentText(text, FILE);
      assert.equal(result.ok, false);
      return result.ok ? [] : result.problems.map((problem) => formatExperimentProblem(FILE, problem));
    };
    assert.deepEqual(problemsOf({ keepEvery: -1 }), [`${FILE}:13:18: checkpoints.keepEvery: must be >= 0`]);
    assert.deepEqual(problemsOf({ keepEvery: 1.5 }), [`${FILE}:13:18: checkpoints.keepEvery: must be integer`]);
    assert.deepEqual(problemsOf({ keepEach: 2 }), [`${FILE}:13:17: checkpoints.keepEach: unknown field "keepEach"`]);
  });

  it('changes neither which runs are the same (an older run folder records no such field) nor a sweep’s id', () => {
    const resolved = (checkpoints?: unknown) => {
      const result = validateExperimentText(JSON.stringify({ ...minimal, ...(checkpoints ? { checkpoints } : {}) }), FILE);
      assert.ok(result.ok);
      return result.experiment;
    };
    const { checkpoints: _checkpoints, ...olderRunFolder } = resolved();
    assert.equal(sameRunKey(resolved({ keepEvery: 3 })), sameRunKey(olderRunFolder));
    const sweep = { seed: [0, 1] };
    const id = (document: Record<string, unknown>) => {
      const expansion = expandSweep(document);
      assert.ok(expansion.ok);
      return sweepIdOf('digits', document, expansion.expansion.axes);
    };
    assert.equal(id({ ...minimal, sweep, checkpoints: { keepEvery: 0 } }), id({ ...minimal, sweep }));
  });
});
