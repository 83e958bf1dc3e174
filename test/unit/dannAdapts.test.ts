import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readResultsJson } from '../../src/runFolder/readRunFiles';
import { startBackend } from '../../src/trainer/cli/startBackend';
import { startTraining } from '../../src/trainer/cli/train';
import { diffCheckpoints } from '../../src/trainer/checkpointDiff/diffCheckpoints';
import { writeExperiment } from '../fixtures/experiments';
import { writeBackgroundShift } from '../fixtures/backgroundShift';

// A real learning test: the student trained on clean seven-segment digits, scored on the same
// digits over shifted backgrounds, with and without DANN at the trainer's defaults (discriminator
// on the conv features, no batch norm, learning rate and delta per step). Seeded on wasm, so the
// outcome is fixed: source-only 49%, DANN 92%. The design before (discriminator after the dense
// layers with a batch norm inside, learning rate per epoch) scored 77% on the same seed, so the
// 35-point bar fails it while leaving either side a margin of seven points. On the same two
// checkpoints the proxy A-distance at the adaptation features is 1.76 for DANN and 1.89 for
// source-only (75 test images per domain): lower, though a linear classifier still tells the
// backgrounds apart. The test asks for 0.05 of that 0.13.

let root: string;
let trained: { sourceOnly: string; dann: string } | undefined;
const quiet = () => undefined;

async function trainStudent(name: string, method: Record<string, unknown>): Promise<{ runDir: string; accuracy: number }> {
  const experiment = {
    name,
    data: { root: path.join(root, 'data'), source: 'clean', targets: ['shifted'], imageSize: 28, channels: 3, split: { kind: 'holdout', testFraction: 0.25 } },
    student: { architecture: 'lenet5' },
    method: { model: 'student', ...method },
    optimizer: { studentLr: 0.01 },
    epochs: 4,
    stepsPerEpoch: 100,
    batchSize: 64,
    seed: 0,
    backend: 'wasm',
  };
  const file = await writeExperiment(root, name, experiment);
  const { runDir, state } = await startTraining({ file, runsDir: path.join(root, 'runs'), stop: { requested: false }, echo: quiet });
  assert.equal(state, 'done');
  return { runDir, accuracy: (await readResultsJson(runDir)).headline.accuracy.student.shifted };
}

/** The last student checkpoint of a run. */
async function studentCheckpoint(runDir: string): Promise<string> {
  const epochs = await readdir(path.join(runDir, 'checkpoints', 'student'));
  const last = epochs.sort((x, y) => Number(x.replace(/\D/g, '')) - Number(y.replace(/\D/g, ''))).at(-1)!;
  return path.join(runDir, 'checkpoints', 'student', last);
}

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-dann-'));
  await writeBackgroundShift(path.join(root, 'data'), 60);
  await startBackend('wasm', quiet);
});
after(() => rm(root, { recursive: true, force: true }));

describe('DANN at the trainer defaults', () => {
  it('raises target accuracy well above source-only on a shift a conv discriminator can see', async () => {
    const sourceOnly = await trainStudent('source-only', { name: 'source-only' });
    const dann = await trainStudent('dann', { name: 'dann' });
    assert.ok(
      dann.accuracy >= sourceOnly.accuracy + 0.35,
      `DANN ${(100 * dann.accuracy).toFixed(1)}% against source-only ${(100 * sourceOnly.accuracy).toFixed(1)}% on the shifted digits`,
    );
    trained = { sourceOnly: sourceOnly.runDir, dann: dann.runDir };
  });

  it("brings the domains' adaptation features closer: a lower proxy A-distance than its source-only twin", async (t) => {
    if (!trained) return t.skip('the training test above did not finish');
    const report = await diffCheckpoints(await studentCheckpoint(trained.dann), await studentCheckpoint(trained.sourceOnly), quiet);
    const [dann] = report.representations!.a.aDistance;
    const [sourceOnly] = report.representations!.b.aDistance;
    assert.equal(dann.target, 'shifted');
    assert.ok(
      dann.aDistance < sourceOnly.aDistance - 0.05,
      `A-distance DANN ${dann.aDistance.toFixed(3)} (ε ${dann.error.toFixed(3)}), source-only ${sourceOnly.aDistance.toFixed(3)} (ε ${sourceOnly.error.toFixed(3)}), ${dann.testImages} test images per domain`,
    );
  });
});
