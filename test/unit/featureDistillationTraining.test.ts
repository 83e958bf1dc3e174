import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { access, rm } from 'node:fs/promises';
import path from 'node:path';
import { readEvents } from '../../src/runFolder/eventLog';
import { readLatestJson, readResultsJson } from '../../src/runFolder/readRunFiles';
import { RUN_FILES } from '../../src/runFolder/runFolderFormat';
import { startTraining } from '../../src/trainer/cli/train';
import { tinyExperiment, writeExperiment } from '../fixtures/experiments';
import { stepLosses, tinyTrainingFolders, wholeAndResumedRuns } from '../fixtures/trainingRuns';

// kd.features in real runs on the wasm backend: the feature term trains beside the logit KD terms,
// falls, has its own curve, leaves the student's cost alone, and a resumed run (hint adapters
// restored from the checkpoint) reaches the numbers of a run never stopped.

let root: string;
let dataRoot: string;
let runsDir: string;
const quiet = () => undefined;

before(async () => {
  ({ root, dataRoot, runsDir } = await tinyTrainingFolders('kd-uda-features-'));
});
after(() => rm(root, { recursive: true, force: true }));

function writeFeatureExperiment(
  name: string,
  method: string,
  features: Record<string, unknown> | undefined,
  fields: Record<string, unknown> = {},
): Promise<string> {
  return writeExperiment(
    root,
    name,
    tinyExperiment({
      name,
      data: { root: dataRoot, source: 'src', targets: method === 'kd-stda' ? ['t1'] : ['t1', 't2'], split: { kind: 'holdout', testFraction: 0.25 } },
      method: { name: method },
      optimizer: { teacherLr: 0.01, studentLr: 0.01 },
      epochs: 2,
      seed: 5,
      ...(features ? { kd: { features } } : {}),
      ...fields,
    }),
  );
}

describe('training with kd.features', () => {
  for (const [method, loss, term] of [
    ['mt-mtda', 'attention', 'student.attention@t1'],
    ['kd-mtda', 'hint', 'student.hint'],
    ['kd-stda', 'hint', 'student.hint'],
  ] as const) {
    it(`${method} + ${loss}: the feature term is its own positive loss, and the student's cost is the plain student's`, async () => {
      const file = await writeFeatureExperiment(`${method}-${loss}`, method, { loss });
      const { runDir, state } = await startTraining({ file, runsDir, stop: { requested: false }, echo: quiet });
      assert.equal(state, 'done');
      const losses = await stepLosses(runDir);
      assert.equal(losses.length, 4);
      for (const step of losses) assert.ok(step[term] > 0 && Number.isFinite(step[term]), `${term}: ${JSON.stringify(step)}`);
      const plain = await startTraining({
        file: await writeFeatureExperiment(`${method}-plain`, method, undefined),
        runsDir,
        stop: { requested: false },
        echo: quiet,
      });
      const [withFeatures, without] = [await readResultsJson(runDir), await readResultsJson(plain.runDir)];
      assert.equal(withFeatures.costs.student.parameters, without.costs.student.parameters);
      assert.equal(withFeatures.costs.student.macsPerImage, without.costs.student.macsPerImage);
      const latest = await readLatestJson(runDir);
      const adapters = path.join(runDir, latest.roles.student, 'extras', 'hint-adapters', 'model.json');
      if (loss === 'hint') await access(adapters);
      else await assert.rejects(access(adapters), 'attention needs no adapter');
    });
  }

  for (const loss of ['hint', 'attention'] as const) {
    it(`the ${loss} term falls as the student trains (constant schedule)`, async () => {
      const weight = loss === 'hint' ? 1 : 1000;
      const file = await writeFeatureExperiment(`falls-${loss}`, 'kd-stda', { loss, schedule: 'constant', weight }, { epochs: 4, stepsPerEpoch: 4 });
      const { runDir } = await startTraining({ file, runsDir, stop: { requested: false }, echo: quiet });
      const epochs = (await readEvents(path.join(runDir, RUN_FILES.events))).events.flatMap((event) =>
        event.kind === 'epoch' ? [event.losses[`student.${loss}`]] : [],
      );
      assert.equal(epochs.length, 4);
      assert.ok(epochs[3] < epochs[0], `mean ${loss} loss per epoch: ${epochs.join(', ')}`);
    });

    it(`a stopped ${loss} run resumes (hint adapters restored) to the numbers of a run never stopped`, async () => {
      const file = await writeFeatureExperiment(`resume-${loss}`, 'kd-stda', { loss }, { stepsPerEpoch: 3 });
      const { whole, resumed } = await wholeAndResumedRuns(file, runsDir);
      assert.deepEqual(await stepLosses(resumed), await stepLosses(whole));
      assert.deepEqual((await readResultsJson(resumed)).history, (await readResultsJson(whole)).history);
    });
  }
});
