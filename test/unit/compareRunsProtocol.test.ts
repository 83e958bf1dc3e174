import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCompareRunsPanelMessage, parseCompareRunsPanelPersistedState } from '../../src/protocol/compareRunsMessages';

describe('Compare Runs panel messages', () => {
  it('accepts the intents the webview sends', () => {
    assert.deepEqual(parseCompareRunsPanelMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseCompareRunsPanelMessage({ type: 'openResults', runDir: '/w/runs/20261101-100000-a' }), {
      type: 'openResults',
      runDir: '/w/runs/20261101-100000-a',
    });
  });

  it('rejects unknown types and wrong shapes', () => {
    for (const message of [
      null,
      'ready',
      [],
      {},
      { type: 'snapshot' },
      { type: 'ready', extra: 1 },
      { type: 'openResults' },
      { type: 'openResults', runDir: '' },
      { type: 'openResults', runDir: 7 },
      { type: 'openResults', runDir: '/a', extra: true },
      { type: 'openResults', runDir: 'x'.repeat(5000) },
    ]) {
      assert.equal(parseCompareRunsPanelMessage(message), undefined, JSON.stringify(message));
    }
  });

  it('keeps the persisted fields it understands and drops the rest', () => {
    assert.deepEqual(parseCompareRunsPanelPersistedState(undefined), {});
    assert.deepEqual(
      parseCompareRunsPanelPersistedState({
        sort: { key: 'acc.student.mean', direction: 'descending' },
        filter: 'kd-mtda',
        onlyDiffering: true,
        columns: ['run', 'method.name'],
        stray: 1,
      }),
      { sort: { key: 'acc.student.mean', direction: 'descending' }, filter: 'kd-mtda', onlyDiffering: true, columns: ['run', 'method.name'] },
    );
    assert.deepEqual(
      parseCompareRunsPanelPersistedState({ sort: { key: 'x', direction: 'sideways' }, filter: 3, onlyDiffering: 'yes', columns: ['a', 2] }),
      {},
    );
  });
});
