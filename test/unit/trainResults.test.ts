import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend } from '../../src/trainer/cli/startBackend';
import { formatDemoStoryTable } from '../../src/trainer/cli/demoStoryTable';
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
});

describe('the demo table', () => {
  const confusion = (correct: number, of: number) => [
    [correct, 0],
    [of - correct, 0],
  ];
  const costs = (parameters: number, macsPerImage: number) => ({ parameters, macsPerImage, latencyMsPerBatch: 1, latencyBatchSize: 4, backend: 'wasm' });
  const run = (method: string, last: Parameters<typeof buildResults>[0]['last'], costByModel: Parameters<typeof buildResults>[0]['costs']) =>
    buildResults({
      method,
      backend: 'wasm',
      classNames: ['a', 'b'],
      targets: ['t1', 't2'],
      history: [
        {
          epoch: 1,
          accuracy: Object.fromEntries(
            Object.entries(last).map(([model, domains]) => [
              model,
              Object.fromEntries(Object.entries(domains).map(([domain, score]) => [domain, score.accuracy])),
            ]),
          ),
          entropy: {},
        },
      ],
      last,
      costs: costByModel,
    });
  const scored = (accuracy: number, images = 200) => ({ accuracy, images, entropy: 0, confusion: confusion(Math.round(accuracy * images), images) });
  const sourceOnly = run('source-only', { student: { t1: scored(0.3), t2: scored(0.5), 'source-holdout': scored(0.9) } }, { student: costs(62006, 651720) });
  const mtMtda = run(
    'mt-mtda',
    {
      'teacher-t1': { t1: scored(0.6), t2: scored(0.1), 'source-holdout': scored(0.95) },
      'teacher-t2': { t1: scored(0.1), t2: scored(0.7), 'source-holdout': scored(0.95) },
      student: { t1: scored(0.5), t2: scored(0.6), 'source-holdout': scored(0.85) },
    },
    { 'teacher-t1': costs(244962, 1899600), 'teacher-t2': costs(244962, 1899600), student: costs(62006, 651720) },
  );
  const lines = formatDemoStoryTable(sourceOnly, mtMtda);

  it('puts the lower bound, each teacher on its own target and the distilled student in rows', () => {
    assert.match(lines[0], /model\s+t1\s+t2\s+mean\s+source hold-out\s+params\s+MACs\/image/);
    assert.match(lines[1], /^student, source only \(lower bound\)\s+30\.0%\s+50\.0%\s+40\.0%\s+90\.0%\s+62\.0 k\s+651\.7 k$/);
    assert.match(lines[2], /^MT-MTDA teachers, each on its target\s+60\.0%\s+70\.0%\s+65\.0%\s+–\s+245\.0 k\s+1\.90 M$/);
    assert.match(lines[3], /^MT-MTDA student \(distilled\)\s+50\.0%\s+60\.0%\s+55\.0%\s+85\.0%\s+62\.0 k\s+651\.7 k$/);
  });

  it('says what chance and one test image are worth, and the gain over the lower bound', () => {
    const text = lines.join('\n');
    // chance 1/2; n = 200 from the confusion matrix; SE of the mean of 2 targets at 55%: sqrt(.55*.45/200)/sqrt(2) = 2.5 points
    assert.match(text, /Chance is 50\.0% \(2 classes\)\. Each target has 200 test images: one image is 0\.5 points.*standard error of about 2\.5 points/);
    assert.match(text, /15\.0 points above the source-only student.*10\.0 points below its teachers, which cost 2\.9x its MACs/);
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
