import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDatasetPanelMessage, parseDatasetPanelPersistedState } from '../../src/protocol/datasetMessages';

describe('dataset panel messages', () => {
  it('accepts the intents the webview sends', () => {
    assert.deepEqual(parseDatasetPanelMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseDatasetPanelMessage({ type: 'refresh' }), { type: 'refresh' });
    assert.deepEqual(parseDatasetPanelMessage({ type: 'revealInExplorer', domain: 'amazon', className: 'desk lamp' }), {
      type: 'revealInExplorer',
      domain: 'amazon',
      className: 'desk lamp',
    });
  });

  it('rejects anything else', () => {
    for (const message of [
      null,
      'ready',
      [],
      {},
      { type: 'snapshot' },
      { type: 'ready', extra: 1 },
      { type: 'revealInExplorer' },
      { type: 'revealInExplorer', domain: '' },
      { type: 'revealInExplorer', domain: 3 },
      { type: 'revealInExplorer', domain: 'a', className: {} },
      { type: 'revealInExplorer', domain: 'x'.repeat(5000) },
    ]) {
      assert.equal(parseDatasetPanelMessage(message), undefined, JSON.stringify(message));
    }
  });

  it('restores only a well-formed persisted state', () => {
    assert.deepEqual(parseDatasetPanelPersistedState({ root: '/d', tab: 'issues' }), { root: '/d', tab: 'issues' });
    assert.deepEqual(parseDatasetPanelPersistedState({ root: '/d', tab: 4 }), { root: '/d' });
    assert.equal(parseDatasetPanelPersistedState({ root: '' }), undefined);
    assert.equal(parseDatasetPanelPersistedState(undefined), undefined);
  });
});
