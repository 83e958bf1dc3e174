import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listCheckpoints } from '../../src/runFolder/listCheckpoints';
import { readLatestJson, readResultsJson } from '../../src/runFolder/readRunFiles';
import { evaluateCheckpoint } from '../../src/trainer/cli/eval';
import { startBackend } from '../../src/trainer/cli/startBackend';
import { startTraining } from '../../src/trainer/cli/train';
import { tinyExperiment, writeExperiment } from '../fixtures/experiments';
import { createImageTree } from '../fixtures/imageTree';
import { trainUntilStopped } from '../fixtures/trainingRuns';

// Real tiny trainings on wasm, through the CLI's own entry: which epochs' checkpoints a run keeps
// under each `checkpoints.keepEvery`, and that resuming still continues from the latest.

let root: string;
let dataRoot: string;
let runsDir: string;
const quiet = () => undefined;

/** A tiny three-epoch run of `method` with `checkpoints` as given (left out: the schema's default). */
function writeRun(name: string, method: Record<string, unknown>, checkpoints?: Record<string, unknown>): Promise<string> {
  return writeExperiment(
    root,
    name,
    tinyExperiment({
      name,
      data: { root: dataRoot, source: 'src', targets: ['t1'] },
      method,
      epochs: 3,
      stepsPerEpoch: 2,
      seed: 5,
      ...(checkpoints ? { checkpoints } : {}),
    }),
  );
}

/** role -> its listed sets, newest first, each as `<set>` plus ` latest` for the one resume reads. */
async function keptSets(runDir: string): Promise<Record<string, string[]>> {
  const kept: Record<string, string[]> = {};
  for (const listing of await listCheckpoints(runDir)) (kept[listing.role] ??= []).push(`${listing.set}${listing.latest ? ' latest' : ''}`);
  return kept;
}

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-checkpoint-history-'));
  dataRoot = path.join(root, 'data');
  runsDir = path.join(root, 'runs');
  await createImageTree(dataRoot, { src: { circle: 6, square: 6 }, t1: { circle: 6, square: 6 } });
  await startBackend('wasm', quiet);
});
after(() => rm(root, { recursive: true, force: true }));

describe('checkpoint history of a run', () => {
  let everyEpoch: string;

  it('keeps every epoch by default: the latest whole, the earlier ones as model-only snapshots that still evaluate', async () => {
    const file = await writeRun('every', { name: 'source-only', model: 'student' });
    const { runDir, state } = await startTraining({ file, runsDir, stop: { requested: false }, echo: quiet });
    assert.equal(state, 'done');
    everyEpoch = runDir;
    assert.deepEqual(await keptSets(runDir), { student: ['epoch-3 latest', 'epoch-2', 'epoch-1'] });
    const student = (set: string) => path.join(runDir, 'checkpoints', 'student', set);
    assert.ok(existsSync(path.join(student('epoch-3'), 'optimizer.bin')), 'the latest keeps what resuming reads');
    for (const set of ['epoch-1', 'epoch-2']) {
      assert.equal(existsSync(path.join(student(set), 'optimizer.bin')), false, `${set} drops its optimiser state`);
      assert.ok((await evaluateCheckpoint(student(set), dataRoot, 't1')).images > 0, `${set} evaluates`);
    }
    const history = (await readResultsJson(runDir)).history;
    const first = await evaluateCheckpoint(student('epoch-1'), dataRoot, 't1');
    assert.equal(first.accuracy, history[0].accuracy.student.t1, "epoch 1's snapshot is epoch 1's model, not a later one");
  });

  it('keepEvery 2 keeps epoch 2 and the last of each model; keepEvery 0 the latest alone', async () => {
    const everyOther = await startTraining({
      file: await writeRun('other', { name: 'kd-stda' }, { keepEvery: 2 }),
      runsDir,
      stop: { requested: false },
      echo: quiet,
    });
    assert.deepEqual(await keptSets(everyOther.runDir), { teacher: ['epoch-3 latest', 'epoch-2'], student: ['epoch-3 latest', 'epoch-2'] });
    const latestOnly = await startTraining({
      file: await writeRun('latest', { name: 'source-only', model: 'student' }, { keepEvery: 0 }),
      runsDir,
      stop: { requested: false },
      echo: quiet,
    });
    assert.deepEqual(await keptSets(latestOnly.runDir), { student: ['epoch-3 latest'] });
  });

  it('a run stopped mid-epoch resumes from its latest set, keeping the epochs before it, to the numbers of an unbroken run', async () => {
    const file = await writeRun('every', { name: 'source-only', model: 'student' });
    const first = await trainUntilStopped(file, runsDir, { epoch: 2, step: 1 });
    assert.equal(first.state, 'stopped');
    assert.deepEqual(await keptSets(first.runDir), { student: ['epoch-2-step-1 latest', 'epoch-1'] });
    const resumed = await startTraining({ resume: first.runDir, stop: { requested: false }, echo: quiet });
    assert.equal(resumed.state, 'done');
    assert.deepEqual(await keptSets(first.runDir), { student: ['epoch-3 latest', 'epoch-2', 'epoch-1'] }, 'the mid-epoch set is gone once replaced');
    assert.equal((await readLatestJson(first.runDir)).epoch, 3);
    const [unbroken, broken] = await Promise.all([readResultsJson(everyEpoch), readResultsJson(first.runDir)]);
    assert.deepEqual(broken.history, unbroken.history);
  });
});
