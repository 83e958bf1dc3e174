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
    const exportGrouped = { type: 'exportGrouped', runDirs: ['/w/runs/b', '/w/runs/a'], columns: ['run', 'acc.student.mean'] };
    assert.deepEqual(parseCompareRunsPanelMessage(exportGrouped), exportGrouped);
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
      { type: 'exportGrouped', runDirs: [], columns: [] },
      { type: 'exportGrouped', runDirs: ['/a'] },
      { type: 'exportGrouped', runDirs: ['/a', 3], columns: [] },
      { type: 'exportGrouped', runDirs: ['/a', ''], columns: [] },
      { type: 'exportGrouped', runDirs: '/a', columns: [] },
      { type: 'exportGrouped', runDirs: ['/a'], columns: [null] },
      { type: 'exportGrouped', runDirs: ['x'.repeat(5000)], columns: [] },
      { type: 'exportGrouped', runDirs: ['/a'], columns: [], format: 'csv' },
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
        grouped: true,
        expanded: ['[["method.name","kd-mtda"]]'],
        plot: true,
        plotCost: 'latency',
        stray: 1,
      }),
      {
        sort: { key: 'acc.student.mean', direction: 'descending' },
        filter: 'kd-mtda',
        onlyDiffering: true,
        columns: ['run', 'method.name'],
        grouped: true,
        expanded: ['[["method.name","kd-mtda"]]'],
        plot: true,
        plotCost: 'latency',
      },
    );
    assert.deepEqual(
      parseCompareRunsPanelPersistedState({
        sort: { key: 'x', direction: 'sideways' },
        filter: 3,
        onlyDiffering: 'yes',
        columns: ['a', 2],
        grouped: 1,
        expanded: ['k', 7],
        plot: 'on',
        plotCost: 'flops',
      }),
      {},
    );
    assert.deepEqual(parseCompareRunsPanelPersistedState({ expanded: Array.from({ length: 1001 }, (_, i) => `k${i}`) }), {});
  });
});
