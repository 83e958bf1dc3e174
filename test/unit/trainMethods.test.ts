import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readEvents } from '../../src/runFolder/eventLog';
import { readExperimentJson, readLatestJson, readResultsJson, readStatusJson } from '../../src/runFolder/readRunFiles';
import { RUN_FILES } from '../../src/runFolder/runFolderFormat';
import { evaluateCheckpoint } from '../../src/trainer/cli/eval';
import { startTraining, UsageError } from '../../src/trainer/cli/train';
import { validateExperimentText } from '../../src/experiment/validateExperiment';
import { createMethod } from '../../src/trainer/methods/createMethod';
import { logitsOf } from '../../src/trainer/training/nets';
import { distillationStep } from '../../src/trainer/training/steps';
import { tinyExperiment, writeExperiment } from '../fixtures/experiments';
import { stepLosses, tensorCountsPerStep, tinyTrainingFolders, trainUntilStopped } from '../fixtures/trainingRuns';

// Every method trains for a few steps on a tiny generated dataset (16x16 PNGs, two classes, three
// domains) on the wasm backend, through the same entry the CLI uses, into real run folders.

let root: string;
let dataRoot: string;
let runsDir: string;

const quiet = () => undefined;

/** A tiny MT-MTDA experiment on two targets, `method` merged into its method, `overrides` replacing fields. */
function writeTinyExperiment(name: string, overrides: Record<string, unknown> = {}, method: Record<string, unknown> = {}): Promise<string> {
  return writeExperiment(
    root,
    name,
    tinyExperiment({
      name,
      data: { root: dataRoot, source: 'src', targets: ['t1', 't2'], split: { kind: 'holdout', testFraction: 0.25 } },
      method: { name: 'mt-mtda', ...method },
      optimizer: { teacherLr: 0.01, studentLr: 0.01 },
      epochs: 2,
      seed: 3,
      ...overrides,
    }),
  );
}

before(async () => {
  ({ root, dataRoot, runsDir } = await tinyTrainingFolders('kd-uda-train-'));
});
after(() => rm(root, { recursive: true, force: true }));

describe('training every method', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ['source-only', { name: 'source-only', model: 'student' }, ['student']],
    ['dann on a resnet-wide teacher, targets blended', { name: 'dann', model: 'teacher' }, ['teacher']],
    ['dann on the student (adapted directly)', { name: 'dann', model: 'student' }, ['student']],
    ['kd-mtda', { name: 'kd-mtda' }, ['teacher', 'student']],
    ['mt-mtda', { name: 'mt-mtda' }, ['teacher-t1', 'teacher-t2', 'student']],
    ['kd-stda with MMD', { name: 'kd-stda', udaLoss: 'mmd' }, ['teacher', 'student']],
  ];
  for (const [title, method, roles] of cases) {
    it(`${title}: finite losses, events, checkpoints and results`, async () => {
      const overrides =
        method.name === 'kd-stda'
          ? { data: { root: dataRoot, source: 'src', targets: ['t1'] } }
          : method.model === 'teacher'
            ? { teacher: { architecture: 'resnet-wide', width: 0.125 } }
            : {};
      const file = await writeTinyExperiment(String(method.name), overrides, method);
      const { runDir, state } = await startTraining({ file, runsDir, stop: { requested: false }, echo: quiet });
      assert.equal(state, 'done');
      const status = await readStatusJson(runDir);
      assert.equal(status.state, 'done');
      const { events, badLines } = await readEvents(path.join(runDir, RUN_FILES.events));
      assert.deepEqual(badLines, []);
      const steps = events.flatMap((event) => (event.kind === 'step' ? [event] : []));
      assert.equal(steps.length, 4);
      for (const step of steps) {
        for (const [term, value] of Object.entries(step.losses)) assert.ok(Number.isFinite(value), `${term} = ${value}`);
      }
      assert.ok(events.some((event) => event.kind === 'start' && event.backend.name === 'wasm'));
      // Beta weighs the KD methods' terms alone: only their epochs record it (the Results panel charts it).
      const weighsByBeta = ['kd-stda', 'kd-mtda', 'mt-mtda'].includes(String(method.name));
      for (const event of events) if (event.kind === 'epoch') assert.equal(event.beta !== undefined, weighsByBeta, `beta in ${title}'s epoch ${event.epoch}`);
      const results = await readResultsJson(runDir);
      assert.deepEqual(Object.keys(results.headline.accuracy).sort(), [...roles].sort());
      assert.equal(results.headline.epoch, 2);
      assert.match(results.oracle[roles[0]].label, /oracle/);
      assert.match(results.labelFree[roles[0]].label, /^label-free/);
      assert.match(results.labelFreeEntropy[roles[0]].label, /^label-free/);
      for (const role of roles) {
        assert.ok(results.costs[role].parameters > 0 && results.costs[role].macsPerImage > 0 && results.costs[role].checkpointBytes! > 0);
        assert.ok(results.headline.accuracy[role]['source-holdout'] >= 0);
      }
      const latest = await readLatestJson(runDir);
      assert.deepEqual(Object.keys(latest.roles).sort(), [...roles].sort());
      assert.equal(latest.epoch, 2);
    });
  }
});

describe('checkpoints and resume', () => {
  it('a checkpoint reloads and evaluates to the accuracy the run reported', async () => {
    const file = await writeTinyExperiment('reload', {}, { name: 'kd-mtda' });
    const { runDir } = await startTraining({ file, runsDir, stop: { requested: false }, echo: quiet });
    const results = await readResultsJson(runDir);
    const latest = await readLatestJson(runDir);
    for (const target of ['t1', 't2']) {
      const score = await evaluateCheckpoint(path.join(runDir, latest.roles.student), dataRoot, target);
      assert.equal(score.accuracy, results.headline.accuracy.student[target]);
    }
  });

  it('a stopped run resumes on the same schedule: the same numbers as a run never stopped', async () => {
    const file = await writeTinyExperiment('resume', { epochs: 2, stepsPerEpoch: 3 }, { name: 'mt-mtda' });
    const whole = await startTraining({ file, runsDir, stop: { requested: false }, echo: quiet });
    const first = await trainUntilStopped(file, runsDir, { epoch: 1, step: 2 });
    assert.equal(first.state, 'stopped');
    assert.equal((await readStatusJson(first.runDir)).state, 'stopped');
    const latest = await readLatestJson(first.runDir);
    assert.deepEqual([latest.epoch, latest.stepInEpoch, latest.globalStep], [1, 2, 2]);
    const resumed = await startTraining({ resume: first.runDir, stop: { requested: false }, echo: quiet });
    assert.equal(resumed.state, 'done');
    assert.deepEqual(await stepLosses(first.runDir), await stepLosses(whole.runDir));
    const a = await readResultsJson(whole.runDir);
    const b = await readResultsJson(first.runDir);
    assert.deepEqual(b.history, a.history);
  });

  it('a run that ended before its first checkpoint resumes from step 0 in its folder, with the numbers of a run never broken', async () => {
    const file = await writeTinyExperiment('early', { epochs: 2, stepsPerEpoch: 2 }, { name: 'source-only', model: 'student' });
    const whole = await startTraining({ file, runsDir, stop: { requested: false }, echo: quiet });
    // A crash in epoch 1 (here: thrown after the first step), before any checkpoint exists.
    const first = await startTraining({
      file,
      runsDir,
      stop: { requested: false },
      echo: quiet,
      onStep: () => {
        throw new Error('killed');
      },
    });
    assert.equal(first.state, 'failed');
    await assert.rejects(readLatestJson(first.runDir), /latest\.json is missing/);
    const broken = await readStatusJson(first.runDir);
    const lines: string[] = [];
    const resumed = await startTraining({ resume: first.runDir, stop: { requested: false }, echo: (line) => lines.push(line) });
    assert.equal(resumed.state, 'done');
    assert.ok(
      lines.some((line) => /no checkpoint was written before the run ended .*starting over from step 0/.test(line)),
      lines.join('\n'),
    );
    assert.match(await readFile(path.join(first.runDir, RUN_FILES.log), 'utf8'), /starting over from step 0/);
    const { events, badLines } = await readEvents(path.join(first.runDir, RUN_FILES.events));
    assert.deepEqual(badLines, []);
    assert.ok(events.some((event) => event.kind === 'resume' && event.startedOver === true));
    const status = await readStatusJson(first.runDir);
    assert.equal(status.startedAt, broken.startedAt, 'a resume keeps the time the run started');
    assert.ok(status.resumedAt && status.resumedAt > broken.endedAt!, `resumed at ${status.resumedAt}, after the end at ${broken.endedAt}`);
    const a = await readResultsJson(whole.runDir);
    const b = await readResultsJson(first.runDir);
    assert.deepEqual(b.history, a.history);
    assert.deepEqual(b.headline, a.headline);
  });

  it('a failing checkpoint write fails the run and leaves the previous checkpoint loadable', async () => {
    const file = await writeTinyExperiment('diskfull', {}, { name: 'source-only', model: 'student' });
    const stop = { requested: false };
    const first = await startTraining({
      file,
      runsDir,
      stop,
      echo: quiet,
      onStep: ({ step }) => {
        stop.requested = step === 2;
      },
    });
    assert.equal(first.state, 'stopped');
    // A file where the next checkpoint's folder must go: the write fails as on a full disk.
    await writeFile(path.join(first.runDir, RUN_FILES.checkpoints, 'student', 'epoch-2'), 'in the way');
    const second = await startTraining({ resume: first.runDir, stop: { requested: false }, echo: quiet });
    assert.equal(second.state, 'failed');
    const status = await readStatusJson(first.runDir);
    assert.match(status.error ?? '', /cannot write the checkpoint epoch-2.*previous checkpoint \(epoch 1, step 2\) is intact/);
    const latest = await readLatestJson(first.runDir);
    assert.equal(latest.epoch, 1);
    const score = await evaluateCheckpoint(path.join(first.runDir, latest.roles.student), dataRoot, 't1');
    assert.ok(score.images > 0);
  });

  it('warm-starts a teacher from an earlier run, and names a checkpoint of another architecture', async () => {
    const earlier = await startTraining({
      file: await writeTinyExperiment('pretrain', {}, { name: 'source-only', model: 'teacher' }),
      runsDir,
      stop: { requested: false },
      echo: quiet,
    });
    const checkpoint = path.join(earlier.runDir, (await readLatestJson(earlier.runDir)).roles.teacher);
    const lines: string[] = [];
    const warm = await startTraining({
      file: await writeTinyExperiment('warm', { teacher: { architecture: 'resnet-small', width: 0.25, warmStart: checkpoint } }, { name: 'kd-mtda' }),
      runsDir,
      stop: { requested: false },
      echo: (line) => lines.push(line),
    });
    assert.equal(warm.state, 'done');
    assert.ok(
      lines.some((line) => line.includes(`teacher: warm-started from ${checkpoint}`)),
      lines.join('\n'),
    );
    const wrong = await startTraining({
      file: await writeTinyExperiment('wrong', { teacher: { architecture: 'resnet-small', width: 0.5, warmStart: checkpoint } }, { name: 'kd-mtda' }),
      runsDir,
      stop: { requested: false },
      echo: quiet,
    });
    assert.equal(wrong.state, 'failed');
    assert.match((await readStatusJson(wrong.runDir)).error ?? '', /holds a different architecture/);
  });

  it('refuses to resume a run folder written by a newer version', async () => {
    const file = await writeTinyExperiment('newer', {}, { name: 'source-only', model: 'student' });
    const { runDir } = await startTraining({ file, runsDir, stop: { requested: true }, echo: quiet });
    await writeFile(path.join(runDir, RUN_FILES.status), JSON.stringify({ ...(await readStatusJson(runDir)), version: 99 }));
    await assert.rejects(
      startTraining({ resume: runDir, stop: { requested: false }, echo: quiet }),
      (error: Error) => error instanceof UsageError && /newer KD-UDA Lab/.test(error.message),
    );
  });
});

describe('numerical and memory hygiene', () => {
  it('holds as many tensors after every step, from the second epoch on (after the first checkpoint)', async () => {
    const file = await writeTinyExperiment('memory', { epochs: 3, stepsPerEpoch: 3 }, { name: 'mt-mtda' });
    const counts = await tensorCountsPerStep(file, runsDir, 3);
    assert.equal(new Set(counts[1]).size, 1, `tensor counts per step: ${JSON.stringify(counts)}`);
    assert.equal(new Set([...counts[2], ...counts[3]]).size, 1, `tensor counts per step: ${JSON.stringify(counts)}`);
  });

  it('a NaN or infinite loss stops the run naming the term, the last good checkpoint kept', async () => {
    const file = await writeTinyExperiment('nan', {}, { name: 'source-only', model: 'student' });
    const stop = { requested: false };
    const first = await startTraining({
      file,
      runsDir,
      stop,
      echo: quiet,
      onStep: ({ step }) => {
        stop.requested = step === 1;
      },
    });
    assert.equal(first.state, 'stopped');
    // An absurd learning rate makes the next steps' logits overflow.
    const experiment = await readExperimentJson(first.runDir);
    await writeFile(path.join(first.runDir, RUN_FILES.experiment), JSON.stringify({ ...experiment, optimizer: { ...experiment.optimizer, studentLr: 1e30 } }));
    const second = await startTraining({ resume: first.runDir, stop: { requested: false }, echo: quiet });
    assert.equal(second.state, 'failed');
    const status = await readStatusJson(first.runDir);
    assert.match(
      status.error ?? '',
      /the student's loss term "ce" is (NaN|Infinity|-Infinity); training stopped\. .* The last good checkpoint \(epoch 1, step 2\) is kept\.$/,
    );
    const latest = await readLatestJson(first.runDir);
    // The step after the change still had a finite loss, so epoch 1's end was checkpointed; the next was not.
    assert.deepEqual([latest.epoch, latest.stepInEpoch], [1, 2]);
    const score = await evaluateCheckpoint(path.join(first.runDir, latest.roles.student), dataRoot, 't1');
    assert.ok(score.images > 0);
  });
});

describe('a NaN loss before any checkpoint', () => {
  it('says no checkpoint is kept, rather than a last good one', async () => {
    const file = await writeTinyExperiment(
      'nan-early',
      { epochs: 1, stepsPerEpoch: 4, optimizer: { teacherLr: 0.01, studentLr: 1e30 } },
      { name: 'source-only', model: 'student' },
    );
    const { runDir, state } = await startTraining({ file, runsDir, stop: { requested: false }, echo: quiet });
    assert.equal(state, 'failed');
    await assert.rejects(readLatestJson(runDir), /latest\.json is missing/);
    const { error } = await readStatusJson(runDir);
    assert.match(
      error ?? '',
      /loss term "ce" is (NaN|Infinity|-Infinity); training stopped\. .* No checkpoint had been written yet, so none is kept: --resume starts the run over from step 0\.$/,
    );
    assert.doesNotMatch(error ?? '', /last good checkpoint/);
  });
});

describe('optimisers', () => {
  it("the student's step never moves the teacher (its optimiser holds only the student's variables)", async () => {
    const result = validateExperimentText(await readFile(await writeTinyExperiment('isolation', {}, { name: 'kd-mtda' }), 'utf8'), 'isolation.kdexp.json');
    assert.ok(result.ok);
    const method = createMethod({ experiment: result.experiment, shape: { inputShape: [16, 16, 3], classes: 2 }, targets: ['t1', 't2'] });
    const [teacher, student] = method.learners;
    const teacherNames = new Set(teacher.variables.map((variable) => variable.name));
    assert.ok(student.variables.every((variable) => !teacherNames.has(variable.name)));
    const batch = {
      source: tf.randomNormal<tf.Rank.R4>([4, 16, 16, 3]),
      labels: tf.tensor1d([0, 1, 0, 1], 'int32'),
      targets: [tf.randomNormal<tf.Rank.R4>([4, 16, 16, 3]), tf.randomNormal<tf.Rank.R4>([4, 16, 16, 3])],
    };
    const context = { experiment: result.experiment, schedule: { beta: 0.5, delta: 0.5 } };
    method.step(batch, context);
    const studentNames = new Set(student.variables.map((variable) => variable.name));
    const held = (await student.optimizer.getWeights()).filter((entry) => entry.name !== 'iter').map((entry) => entry.name.replace(/\/momentum$/, ''));
    assert.equal(held.length, student.variables.length);
    assert.ok(
      held.every((name) => studentNames.has(name)),
      `the student's optimiser holds ${held.filter((name) => !studentNames.has(name)).join(', ')}`,
    );
    const before = teacher.variables.map((variable) => variable.dataSync().slice());
    const outputs = { source: logitsOf(teacher.net, batch.source, false), target: logitsOf(teacher.net, batch.targets[0], false) };
    distillationStep(student, { source: batch.source, labels: batch.labels, target: batch.targets[0] }, outputs, context);
    teacher.variables.forEach((variable, i) => assert.deepEqual(variable.dataSync(), before[i], variable.name));
    tf.dispose([outputs.source, outputs.target]);
    tf.dispose([batch.source, batch.labels, ...batch.targets]);
  });
});

describe('bad experiments are refused before any work', () => {
  it('reports every problem at once, with its JSON path', async () => {
    const file = await writeTinyExperiment('bad', { batchSize: 0, epochs: 'many' }, { name: 'fancy-da' });
    await assert.rejects(startTraining({ file, runsDir: path.join(root, 'never'), stop: { requested: false }, echo: quiet }), (error: Error) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /method\.name: must be one of/);
      assert.match(error.message, /batchSize: must be >= 1/);
      assert.match(error.message, /epochs: must be integer/);
      return true;
    });
    const sameTarget = await writeTinyExperiment('same', { data: { root: dataRoot, source: 'src', targets: ['t1', 'src'] } });
    await assert.rejects(
      startTraining({ file: sameTarget, runsDir: path.join(root, 'never'), stop: { requested: false }, echo: quiet }),
      /data\.targets\[1\]: the source domain "src" cannot also be a target/,
    );
  });
});
