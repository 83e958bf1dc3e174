import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readRunResults } from '../../src/runFolder/readRunResults';
import { modelCost, runResults } from '../fixtures/runFolderFiles';

describe('readRunResults', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-results-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function run(name: string, results?: string): Promise<string> {
    const runDir = path.join(dir, name);
    await mkdir(runDir);
    if (results !== undefined) await writeFile(path.join(runDir, 'results.json'), results);
    return runDir;
  }

  it('gives each model its headline accuracy per target, teachers before the student', async () => {
    const results = runResults({
      targets: ['svhn', 'usps'],
      headline: {
        epoch: 20,
        accuracy: {
          student: { svhn: 0.5, usps: 0.7, 'source-holdout': 0.99 },
          'teacher-usps': { svhn: 0.2, usps: 0.9 },
          'teacher-svhn': { svhn: 0.6, usps: 0.3 },
        },
        meanTarget: { student: 0.6, 'teacher-usps': 0.55, 'teacher-svhn': 0.45 },
      },
    });
    const reading = await readRunResults(await run('done', JSON.stringify(results)));
    assert.equal(reading.kind, 'results');
    if (reading.kind !== 'results') return;
    assert.equal(reading.epoch, 20);
    assert.deepEqual(
      reading.models.map((model) => model.role),
      ['teacher-svhn', 'teacher-usps', 'student'],
    );
    assert.deepEqual(reading.models[2], {
      role: 'student',
      meanTarget: 0.6,
      targets: [
        { domain: 'svhn', accuracy: 0.5 },
        { domain: 'usps', accuracy: 0.7 },
      ],
    });
  });

  it('says none before results exist, and why when they cannot be read', async () => {
    assert.deepEqual(await readRunResults(await run('running')), { kind: 'none' });
    const torn = await readRunResults(await run('torn', '{"version":1,"head'));
    assert.equal(torn.kind, 'problem');
    assert.match(torn.kind === 'problem' ? torn.message : '', /results\.json is not valid JSON/);
    const newer = await readRunResults(await run('newer', JSON.stringify({ version: 9, targets: [], headline: { epoch: 1, accuracy: {}, meanTarget: {} } })));
    assert.match(newer.kind === 'problem' ? newer.message : '', /format version 9; this KD-UDA Lab reads up to 1/);
    const { headline: _headline, ...headless } = runResults({ targets: ['a'], headline: { epoch: 1, accuracy: {} } });
    const reading = await readRunResults(await run('headless', JSON.stringify(headless)));
    assert.match(reading.kind === 'problem' ? reading.message : '', /results\.json: headline is missing$/);
  });

  it('never makes a missing mean 0: it is the mean over the targets with a value, or absent', async () => {
    const results = runResults({
      targets: ['t1', 't2'],
      headline: { epoch: 3, accuracy: { student: { t1: 0.5 }, teacher: { t1: 0.8, t2: 0.6 }, other: { 'source-holdout': 0.9 } }, meanTarget: { teacher: 0.7 } },
    });
    const reading = await readRunResults(await run('no-mean', JSON.stringify(results)));
    assert.equal(reading.kind, 'results');
    if (reading.kind !== 'results') return;
    const mean = (role: string) => reading.models.find((model) => model.role === role)?.meanTarget;
    assert.equal(mean('teacher'), 0.7);
    assert.equal(mean('student'), 0.5);
    assert.equal(mean('other'), undefined);
    assert.deepEqual(
      reading.models.map((model) => model.role),
      ['teacher', 'student', 'other'],
    );
  });

  it('gives each model its costs, latency as ms per image, none where the batch size cannot give one', async () => {
    const results = runResults({
      targets: ['t1'],
      headline: { epoch: 3, accuracy: { student: { t1: 0.5 }, teacher: { t1: 0.8 }, other: { t1: 0.1 } }, meanTarget: {} },
      costs: {
        student: modelCost(61_706, 416_520, { latencyMsPerBatch: 3.2, latencyBatchSize: 64 }),
        teacher: modelCost(1_180_000, 8_900_000, { latencyMsPerBatch: 12, latencyBatchSize: 0 }),
      },
    });
    const reading = await readRunResults(await run('costs', JSON.stringify(results)));
    assert.equal(reading.kind, 'results');
    if (reading.kind !== 'results') return;
    const model = (role: string) => reading.models.find((entry) => entry.role === role)!;
    assert.equal(model('student').parameters, 61_706);
    assert.equal(model('student').macsPerImage, 416_520);
    assert.equal(model('student').latencyMsPerImage, 0.05);
    assert.equal(model('teacher').macsPerImage, 8_900_000);
    assert.equal('latencyMsPerImage' in model('teacher'), false, 'a batch of 0 images gives no latency');
    assert.equal('macsPerImage' in model('other'), false, 'no costs recorded, none made up');
  });
});
