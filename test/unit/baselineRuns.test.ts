import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findBaselines } from '../../src/runComparison/baselineRuns';
import { writeRunFolder } from '../fixtures/experiments';
import { modelCost, runResults } from '../fixtures/runFolderFiles';

interface RunSpec {
  id: string;
  method: string;
  model?: string;
  targets?: string[];
  source?: string;
  root?: string;
  state?: string;
  studentMean?: number;
  split?: { kind: string; testFraction?: number };
  seed?: number;
}

describe('findBaselines', () => {
  let runsDir: string;
  before(async () => {
    runsDir = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-baselines-'));
  });
  after(() => rm(runsDir, { recursive: true, force: true }));

  async function run(spec: RunSpec): Promise<string> {
    const targets = spec.targets ?? ['svhn', 'usps'];
    const role = spec.model ?? 'student';
    const mean = spec.studentMean ?? 0.5;
    return writeRunFolder(path.join(runsDir, spec.id), {
      'experiment.json': {
        data: {
          root: spec.root ?? '/data/digits',
          source: spec.source ?? 'mnist',
          targets,
          imageSize: 28,
          channels: 3,
          layout: 'auto',
          split: spec.split ?? { kind: 'folders' },
        },
        method: { name: spec.method, ...(spec.model ? { model: spec.model } : {}) },
        seed: spec.seed ?? 0,
      },
      'status.json': { version: 1, state: spec.state ?? 'done' },
      'results.json': runResults({
        targets,
        headline: { epoch: 10, accuracy: { [role]: Object.fromEntries(targets.map((target) => [target, mean])) }, meanTarget: { [role]: mean } },
        costs: { [role]: modelCost(62006, 651720) },
      }),
    });
  }

  it('finds the newest finished source-only and DANN runs on the same data, source and targets, a run of the same seed first', async () => {
    await run({ id: '20261101-100000-so-old', method: 'source-only', studentMean: 0.3 });
    await run({ id: '20261102-100000-so-new', method: 'source-only', studentMean: 0.42 });
    await run({ id: '20261102-110000-dann', method: 'dann', targets: ['usps', 'svhn'], studentMean: 0.39 });
    await run({ id: '20261102-120000-dann-teacher', method: 'dann', model: 'teacher', studentMean: 0.45 });
    await run({ id: '20261103-100000-other-targets', method: 'source-only', targets: ['svhn'] });
    await run({ id: '20261103-110000-other-source', method: 'dann', source: 'usps' });
    await run({ id: '20261103-120000-other-root', method: 'dann', root: '/data/office' });
    await run({ id: '20261103-130000-running', method: 'source-only', state: 'running', studentMean: 0.9 });
    await run({ id: '20261103-140000-kd', method: 'kd-mtda' });
    await run({ id: '20261103-150000-holdout', method: 'source-only', split: { kind: 'holdout', testFraction: 0.2 } });
    await run({ id: '20261103-160000-other-seed-same-folders', method: 'dann', model: 'teacher', seed: 7, studentMean: 0.47 });
    const judged = await run({ id: '20261104-100000-mt', method: 'mt-mtda' });

    const baselines = await findBaselines(judged, runsDir);
    assert.deepEqual(baselines.map((baseline) => [baseline.label, baseline.runId, baseline.model.meanTarget]).sort(), [
      ['student, adapted directly (DANN)', '20261102-110000-dann', 0.39],
      ['student, source only', '20261102-100000-so-new', 0.42],
      ['teacher, adapted directly (DANN)', '20261102-120000-dann-teacher', 0.45],
    ]);
    assert.deepEqual(
      baselines.find((baseline) => baseline.runId === '20261102-110000-dann')!.model.targets.map((target) => target.domain),
      ['usps', 'svhn'],
    );
  });

  it('takes a held-out split only from runs that drew it with the same seed and fraction', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-baselines-holdout-'));
    const before = runsDir;
    runsDir = dir;
    try {
      const holdout = { kind: 'holdout', testFraction: 0.2 };
      await run({ id: '20261101-100000-seed1', method: 'source-only', split: holdout, seed: 1 });
      await run({ id: '20261101-110000-seed0-other-fraction', method: 'source-only', split: { kind: 'holdout', testFraction: 0.3 } });
      await run({ id: '20261101-120000-seed0', method: 'dann', split: holdout });
      const judged = await run({ id: '20261102-100000-mt', method: 'mt-mtda', split: holdout });
      assert.deepEqual(
        (await findBaselines(judged, runsDir)).map((baseline) => baseline.runId),
        ['20261101-120000-seed0'],
      );
    } finally {
      runsDir = before;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes a source-only run that scored more targets as the lower bound on the judged targets, never such a DANN run', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-baselines-superset-'));
    const before = runsDir;
    runsDir = dir;
    try {
      const three = ['svhn', 'usps', 'mnistm'];
      await writeRunFolder(path.join(runsDir, '20261101-100000-so-three'), {
        'experiment.json': {
          data: { root: '/data/digits', source: 'mnist', targets: three, imageSize: 28, channels: 3, layout: 'auto', split: { kind: 'folders' } },
          method: { name: 'source-only' },
          seed: 0,
        },
        'status.json': { version: 1, state: 'done' },
        'results.json': runResults({
          targets: three,
          headline: { epoch: 10, accuracy: { student: { svhn: 0.2, usps: 0.6, mnistm: 0.4 } }, meanTarget: { student: 0.4 } },
          costs: { student: modelCost(62006, 651720) },
        }),
      });
      await run({ id: '20261101-110000-dann-three', method: 'dann', targets: three });
      const judged = await run({ id: '20261102-100000-kd-stda-usps', method: 'kd-stda', targets: ['usps'] });
      const baselines = await findBaselines(judged, runsDir);
      assert.deepEqual(
        baselines.map((baseline) => [baseline.runId, baseline.model.targets.map((target) => target.domain), baseline.model.meanTarget]),
        [['20261101-100000-so-three', ['usps'], 0.6]],
      );
    } finally {
      runsDir = before;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('leaves out runs of the kind being judged, and has none for a run without a readable experiment', async () => {
    const judged = path.join(runsDir, '20261102-100000-so-new');
    const labels = (await findBaselines(judged, runsDir)).map((baseline) => baseline.label).sort();
    assert.deepEqual(labels, ['student, adapted directly (DANN)', 'teacher, adapted directly (DANN)']);
    const broken = await writeRunFolder(path.join(runsDir, '20261105-100000-broken'), { 'experiment.json': '{"data": ' });
    assert.deepEqual(await findBaselines(broken, runsDir), []);
  });
});
