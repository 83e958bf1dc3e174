import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { balanceOf } from '../../webview-ui/dataset/imbalance';

describe('balanceOf', () => {
  it('flags counts under half or over twice the median, and empty cells', () => {
    assert.deepEqual(balanceOf([10, 10, 4, 21, 0, 10]), ['ok', 'ok', 'low', 'high', 'empty', 'ok']);
  });

  it('keeps a balanced row unflagged, including at the thresholds', () => {
    assert.deepEqual(balanceOf([10, 5, 20, 10]), ['ok', 'ok', 'ok', 'ok']);
    assert.deepEqual(balanceOf([]), []);
  });
});
