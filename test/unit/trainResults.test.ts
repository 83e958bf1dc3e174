import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend } from '../../src/trainer/cli/startBackend';
import { formatTargetTable } from '../../src/trainer/cli/demo';
import { buildModel } from '../../src/trainer/models/buildModel';
import type { EpochScores } from '../../src/runFolder/results';
import { buildResults } from '../../src/trainer/runLoop/buildResults';
import { macsPerImage } from '../../src/trainer/training/modelCost';

const epoch = (n: number, t1: number, t2: number, holdout: number, entropy: number): EpochScores => ({
  epoch: n,
  accuracy: { student: { t1, t2, 'source-holdout': holdout } },
  entropy: { student: { t1: entropy, t2: entropy, 'source-holdout': 0 } },
});

describe('results.json', () => {
  const history = [epoch(1, 0.5, 0.5, 0.9, 0.3), epoch(2, 0.9, 0.7, 0.6, 0.9), epoch(3, 0.6, 0.6, 0.8, 0.5)];
  const confusion = [
    [3, 1],
    [0, 4],
  ];
  const results = buildResults({
    method: 'mt-mtda',
    backend: 'wasm',
    classNames: ['a', 'b'],
    targets: ['t1', 't2'],
    history,
    last: { student: { t1: { accuracy: 0.875, images: 8, entropy: 0.5, confusion } } },
    costs: { student: { parameters: 10, macsPerImage: 20, latencyMsPerBatch: 1, latencyBatchSize: 4, backend: 'wasm' } },
  });

  it('headlines the last epoch and labels every other selection by how it was made', () => {
    assert.equal(results.headline.epoch, 3);
    assert.equal(results.headline.meanTarget.student, 0.6);
    assert.equal(results.oracle.student.epoch, 2);
    assert.match(results.oracle.student.label, /^oracle.*uses target labels/);
    assert.equal(results.labelFree.student.epoch, 1);
    assert.equal(results.labelFreeEntropy.student.epoch, 1);
    assert.deepEqual(results.perClass.student.t1, [0.75, 1]);
  });

  it('prints the per-target table with the mean', () => {
    const lines = formatTargetTable(results);
    assert.match(lines[0], /model\s+t1\s+t2\s+mean/);
    assert.match(lines[1], /^student\s+60\.0%\s+60\.0%\s+60\.0%\s+10\s+20$/);
  });
});

describe('model cost', () => {
  it('counts LeNet-5 multiply-accumulates from its layer shapes, as worked by hand', async () => {
    await startBackend('cpu', () => undefined);
    const net = buildModel('lenet5', { inputShape: [28, 28, 1], classes: 10 });
    // conv1 28*28*6*5*5*1 + conv2 10*10*16*5*5*6 + fc1 400*120 + fc2 120*84 + head 84*10
    assert.equal(macsPerImage(net.trunk) + macsPerImage(net.head), 117600 + 240000 + 48000 + 10080 + 840);
  });
});
