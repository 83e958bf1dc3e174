import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runIdName, runStartedText } from '../../src/runFolder/runNaming';

describe('how a run reads', () => {
  it('says when it started from its id, else from startedAt', () => {
    assert.equal(runStartedText('20260102-030405-tiny'), '2026-01-02 03:04');
    assert.equal(runStartedText('my-run', '2026-11-28T10:04:59.000Z'), '2026-11-28 10:04');
    assert.equal(runStartedText('my-run'), undefined);
  });

  it('names it by what follows the timestamp', () => {
    assert.equal(runIdName('20260102-030405-tiny-2'), 'tiny-2');
    assert.equal(runIdName('my-run'), 'my-run');
  });
});
