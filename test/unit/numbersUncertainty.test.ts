/**
 * Numbers with their uncertainty: the latency measurement's plan and statistics (timings injected
 * through the clock: nothing is timed), its reading in results.json and diff reports, old files
 * included, the accuracy's image counts, and the chance-level flag.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseCheckpointDiffReport } from '../../src/checkpointDiff/reportFormat';
import { sourceOnlyExperimentOf } from '../../src/experiment/sourceOnlyBaseline';
import { buildComparisonTable } from '../../src/runComparison/runComparison';
import { summariseRun } from '../../src/runComparison/runSummary';
import { chanceLevel, imagesIn, standardError } from '../../src/runFolder/accuracyUncertainty';
import { enoughBatches, summariseLatency, type LatencyPlan } from '../../src/runFolder/inferenceLatency';
import { readRunResults } from '../../src/runFolder/readRunResults';
import { parseRunResults } from '../../src/runFolder/results';
import { buildResults } from '../../src/trainer/runLoop/buildResults';
import { timeBatches } from '../../src/trainer/training/measureLatency';
import { writeRunFolder } from '../fixtures/experiments';
import { evalEvent, modelCost, runResults } from '../fixtures/runFolderFiles';
import { reportSide, sampleDiffReport } from '../fixtures/checkpointDiffReport';

/** A clock that reads the given times one after the other, and the batches run against it. */
function scriptedClock(times: number[]): { now: () => number; batches: () => number; runBatch: () => void } {
  let read = 0;
  let batches = 0;
  return {
    now: () => {
      if (read >= times.length) throw new Error(`the clock was read ${read + 1} times, the script has ${times.length}`);
      return times[read++];
    },
    batches: () => batches,
    runBatch: () => void batches++,
  };
}

const PLAN: LatencyPlan = { warmUpBatches: 2, minBatches: 3, minMs: 100, maxBatches: 10 };

describe('latency measurement', () => {
  it('runs the warm-up untimed, then times batches until it has both the batch count and the time', () => {
    // start 0; batches of 10, 12, 11 ms end at 33 ms (< 100 ms), so more follow: 40 ms and 50 ms end at 123 ms.
    const clock = scriptedClock([0, 0, 10, 10, 22, 22, 33, 33, 73, 73, 123]);
    const measured = timeBatches(clock.runBatch, 32, PLAN, clock.now);
    assert.equal(clock.batches(), 2 + 5, 'two warm-up batches and five timed ones');
    assert.deepEqual(measured, { medianMs: 12, q1Ms: 11, q3Ms: 40, batches: 5, batchSize: 32, noisy: true });
  });

  it('stops a very fast model at maxBatches, and a slow one at minBatches', () => {
    assert.equal(enoughBatches(10, 5, PLAN), true, 'maxBatches ends it even short of minMs');
    assert.equal(enoughBatches(3, 600, PLAN), true);
    assert.equal(enoughBatches(2, 600, PLAN), false, 'never fewer than minBatches');
    assert.equal(enoughBatches(9, 99, PLAN), false);
  });

  it('reports the median and quartiles, and flags a spread above a quarter of the median as noisy', () => {
    assert.deepEqual(summariseLatency([10, 10.5, 11, 9.5, 10], 32), { medianMs: 10, q1Ms: 10, q3Ms: 10.5, batches: 5, batchSize: 32, noisy: false });
    assert.equal(summariseLatency([31, 64, 40, 35, 60, 33], 32).noisy, true, 'the 31–64 ms of identical teachers is noisy');
    assert.throws(() => summariseLatency([], 32), /at least one timed batch/);
  });
});

describe('latency in results.json and diff reports', () => {
  const resultsWith = (cost: unknown) => ({ ...runResults({ targets: ['usps'], headline: { epoch: 1, accuracy: {} } }), costs: { student: cost } });

  it('reads a cost with its spread, and one of an older trainer (a bare median) with none', () => {
    const spread = { q1Ms: 11, q3Ms: 13, batches: 40, noisy: false };
    assert.deepEqual(parseRunResults(resultsWith(modelCost(1, 2, { latencySpread: spread })), 'results.json').costs.student.latencySpread, spread);
    assert.equal(parseRunResults(resultsWith(modelCost(1, 2)), 'results.json').costs.student.latencySpread, undefined);
    assert.throws(
      () => parseRunResults(resultsWith(modelCost(1, 2, { latencySpread: { q1Ms: 1, q3Ms: 2, batches: 'many', noisy: false } as never })), 'results.json'),
      /costs\.student\.latencySpread\.batches/,
    );
  });

  it('refuses a diff report whose latency spread is malformed, naming the field', () => {
    const report = sampleDiffReport(reportSide('student', '/run/checkpoints/student/epoch-1'), reportSide('teacher', '/run/checkpoints/teacher/epoch-1'));
    const spread = { q1Ms: 11, q3Ms: 13, batches: 40, noisy: false };
    const withSpread = { ...report, a: { ...report.a, cost: { ...report.a.cost, latencySpread: spread } } };
    const read = parseCheckpointDiffReport(JSON.parse(JSON.stringify(withSpread)), 'diff.json');
    if (read instanceof Error) throw read;
    assert.deepEqual(read.a.cost.latencySpread, spread);
    const bad = parseCheckpointDiffReport({ ...report, a: { ...report.a, cost: { ...report.a.cost, latencySpread: { q1Ms: 1 } } } }, 'diff.json');
    assert.match(String(bad instanceof Error ? bad.message : 'read'), /a\.cost\.latencySpread must be an object with q1Ms, q3Ms, batches and noisy/);
  });
});

describe('accuracy with its n', () => {
  it('counts a domain’s test images from its confusion matrix, and results.json records them per domain', () => {
    assert.equal(
      imagesIn([
        [3, 1],
        [2, 54],
      ]),
      60,
    );
    const score = (confusion: number[][]) => ({ accuracy: 0, images: imagesIn(confusion), confusion, entropy: 0 });
    const results = buildResults({
      method: 'kd-stda',
      backend: 'cpu',
      classNames: ['a', 'b'],
      targets: ['usps'],
      history: [{ epoch: 1, accuracy: { student: { usps: 0.5, 'source-holdout': 0.9 } }, entropy: { student: { usps: 0, 'source-holdout': 0 } } }],
      last: {
        student: {
          usps: score([
            [30, 0],
            [30, 0],
          ]),
          'source-holdout': score([
            [5, 0],
            [1, 4],
          ]),
        },
      },
      costs: {},
    });
    assert.deepEqual(results.testImages, { usps: 60, 'source-holdout': 10 });
  });

  it('gives the panel the counts, the class count and the source hold-out; for an older results.json, from its confusion sums', () => {
    const events = { events: [evalEvent(1, { student: { usps: 0.5, 'source-holdout': 0.95 } })], badLines: [] };
    const older = runResults({
      targets: ['usps'],
      classNames: ['a', 'b', 'c'],
      headline: { epoch: 1, accuracy: {} },
      confusion: {
        student: {
          usps: [
            [1, 2],
            [3, 4],
          ],
        },
      },
    });
    const summary = summariseRun({ runId: 'r', runDir: '/r' }, {}, events, older);
    assert.deepEqual(summary.testImages, { usps: 10 });
    assert.equal(summary.classes, 3);
    assert.equal(summary.rows[0].sourceHoldout, 0.95);
    assert.deepEqual(summariseRun({ runId: 'r', runDir: '/r' }, {}, events, { ...older, testImages: { usps: 60 } }).testImages, { usps: 60 });
  });
});

describe('chance level', () => {
  it('flags an accuracy within two standard errors of 1/classes, or below it, and not one clearly above', () => {
    // 10 classes, 60 images: chance 10%, standard error sqrt(0.1 * 0.9 / 60) = 3.87 points, so up to 17.7% is chance.
    assert.ok(Math.abs(standardError(0.1, 60) - 0.03873) < 1e-5);
    assert.equal(chanceLevel(0.1, 10, 60)?.nearChance, true);
    assert.equal(chanceLevel(0.05, 10, 60)?.nearChance, true, 'below chance is no better than guessing');
    assert.equal(chanceLevel(0.17, 10, 60)?.nearChance, true);
    assert.equal(chanceLevel(0.18, 10, 60)?.nearChance, false);
    assert.equal(chanceLevel(0.3, 10, 6000)?.nearChance, false);
    assert.equal(chanceLevel(0.5, 1, 60), undefined, 'one class has no chance level');
    assert.equal(chanceLevel(0.5, 10, 0), undefined, 'no images, no judgement');
  });
});

describe('source-only baseline of a run', () => {
  it('keeps data, split, seed and student and trains the student on the source alone', () => {
    const experiment = {
      name: 'tiny',
      seed: 3,
      data: { root: '/d', source: 's', targets: ['t'] },
      student: { architecture: 'lenet5' },
      method: { name: 'kd-stda', alpha: 0.5 },
    };
    const baseline = sourceOnlyExperimentOf(experiment, 'experiment.json');
    assert.equal(baseline.name, 'tiny-source-only');
    assert.deepEqual(baseline.method, { name: 'source-only', model: 'student', alpha: 0.5 });
    assert.deepEqual([baseline.seed, baseline.data, baseline.student], [3, experiment.data, experiment.student]);
    assert.throws(
      () => sourceOnlyExperimentOf({ ...experiment, method: { name: 'source-only' } }, 'experiment.json'),
      /experiment\.json is a source-only run of the student already/,
    );
    assert.throws(() => sourceOnlyExperimentOf({ name: 'x' }, 'experiment.json'), /experiment\.json has no "data" and "method"/);
  });
});

describe('latency spread in Compare Runs', () => {
  it('reads the spread per image beside the median per image, and puts it on the run’s row under the latency column’s key', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-latency-'));
    try {
      await writeRunFolder(dir, {
        'results.json': runResults({
          targets: ['usps'],
          headline: { epoch: 1, accuracy: { student: { usps: 0.5 }, teacher: { usps: 0.7 } } },
          costs: {
            student: modelCost(1, 2, { latencyMsPerBatch: 12.8, latencyBatchSize: 32, latencySpread: { q1Ms: 9.6, q3Ms: 16, batches: 40, noisy: true } }),
            teacher: modelCost(3, 4, { latencyMsPerBatch: 64, latencyBatchSize: 32 }),
          },
        }),
      });
      const reading = await readRunResults(dir);
      assert.equal(reading.kind, 'results');
      if (reading.kind !== 'results') return;
      const student = reading.models.find((model) => model.role === 'student')!;
      assert.equal(student.latencyMsPerImage, 0.4);
      assert.deepEqual(student.latencySpreadPerImage, { q1Ms: 0.3, q3Ms: 0.5, batches: 40, noisy: true });
      const models = reading.models.map(({ role, meanTarget, parameters, macsPerImage, latencyMsPerImage, latencySpreadPerImage }) => ({
        role,
        accuracy: {},
        meanTarget,
        parameters,
        macsPerImage,
        latencyMsPerImage,
        ...(latencySpreadPerImage ? { latencySpreadPerImage } : {}),
      }));
      const [row] = buildComparisonTable([{ runId: 'r', runDir: dir, targets: ['usps'], models }]).rows;
      assert.deepEqual(
        row.latencySpreads,
        { 'latency.student': { q1Ms: 0.3, q3Ms: 0.5, batches: 40, noisy: true } },
        'the teacher, of an older trainer, has none',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
