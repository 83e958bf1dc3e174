import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { datasetRootOfExperiment } from '../../src/experiment/datasetRoot';

describe('datasetRootOfExperiment', () => {
  const file = path.resolve('/work/ws/experiments/a.kdexp.json');

  it('resolves a relative data.root against the experiment file folder', () => {
    assert.equal(datasetRootOfExperiment('{"data":{"root":"../digits"}}', file), path.resolve('/work/ws/digits'));
  });

  it('keeps an absolute root', () => {
    assert.equal(datasetRootOfExperiment('{"data":{"root":"/data/office31"}}', file), path.resolve('/data/office31'));
  });

  it('gives nothing for invalid JSON, a missing root or a root of the wrong type', () => {
    for (const text of ['{"data":', '{}', 'null', '[]', '{"data":null}', '{"data":{"root":3}}', '{"data":{"root":"  "}}']) {
      assert.equal(datasetRootOfExperiment(text, file), undefined, text);
    }
  });
});
