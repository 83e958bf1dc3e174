import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { datasetDisplayName } from '../../src/datasetScan/displayName';

describe('datasetDisplayName', () => {
  it('is the folder name, or parent/split for a split folder', () => {
    assert.equal(datasetDisplayName('/data/office31'), 'office31');
    assert.equal(datasetDisplayName('/ws/digits/train'), 'digits/train');
    assert.equal(datasetDisplayName('/ws/digits/Test'), 'digits/Test');
    assert.equal(datasetDisplayName('/train'), 'train');
    assert.equal(datasetDisplayName('/'), '/');
  });
});
