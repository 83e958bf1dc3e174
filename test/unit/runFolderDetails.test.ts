import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listCheckpoints } from '../../src/runFolder/listCheckpoints';
import { readLogTail } from '../../src/runFolder/readLogTail';
import { readRunExperimentName } from '../../src/runFolder/readRunExperimentName';
import { checkpointMeta } from '../fixtures/runFolderFiles';

/** A checkpoint set as the trainer's checkpointStore writes it. */
async function checkpoint(
  runDir: string,
  role: string,
  set: string,
  position: { epoch: number; stepInEpoch: number; globalStep: number },
  weightBytes: number,
): Promise<string> {
  const dir = path.join(runDir, 'checkpoints', role, set);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'model.json'), '{"modelTopology":{}}');
  await writeFile(path.join(dir, 'weights.bin'), Buffer.alloc(weightBytes));
  await writeFile(path.join(dir, 'optimizer.bin'), Buffer.alloc(1000));
  await writeFile(
    path.join(dir, 'meta.json'),
    JSON.stringify(checkpointMeta({ role, architecture: role === 'student' ? 'lenet5' : 'resnet-small', ...position })),
  );
  return dir;
}

describe('run folder details for the Runs view', () => {
  let runDir: string;
  before(async () => {
    runDir = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-run-details-'));
  });
  after(() => rm(runDir, { recursive: true, force: true }));

  it('lists checkpoints by role (teachers first), newest first, with their model size and the latest set marked', async () => {
    assert.deepEqual(await listCheckpoints(runDir), [], 'no checkpoints folder: none');
    const student1 = await checkpoint(runDir, 'student', 'epoch-1', { epoch: 1, stepInEpoch: 4, globalStep: 4 }, 100);
    const student2 = await checkpoint(runDir, 'student', 'epoch-2-step-1', { epoch: 2, stepInEpoch: 1, globalStep: 5 }, 100);
    const teacher = await checkpoint(runDir, 'teacher-sketches', 'epoch-2-step-1', { epoch: 2, stepInEpoch: 1, globalStep: 5 }, 5000);
    // A set still being written: no meta.json yet.
    await mkdir(path.join(runDir, 'checkpoints', 'student', 'epoch-3'), { recursive: true });
    await writeFile(
      path.join(runDir, 'checkpoints', 'latest.json'),
      JSON.stringify({
        version: 1,
        epoch: 2,
        stepInEpoch: 1,
        globalStep: 5,
        roles: { student: 'checkpoints/student/epoch-2-step-1', 'teacher-sketches': 'checkpoints/teacher-sketches/epoch-2-step-1' },
      }),
    );

    const listed = await listCheckpoints(runDir);
    assert.deepEqual(
      listed.map(({ role, set, dir, epoch, stepInEpoch, bytes, latest, architecture }) => ({
        role,
        set,
        dir,
        epoch,
        stepInEpoch,
        bytes,
        latest,
        architecture,
      })),
      [
        {
          role: 'teacher-sketches',
          set: 'epoch-2-step-1',
          dir: teacher,
          epoch: 2,
          stepInEpoch: 1,
          bytes: 20 + 5000,
          latest: true,
          architecture: 'resnet-small',
        },
        { role: 'student', set: 'epoch-2-step-1', dir: student2, epoch: 2, stepInEpoch: 1, bytes: 20 + 100, latest: true, architecture: 'lenet5' },
        { role: 'student', set: 'epoch-1', dir: student1, epoch: 1, stepInEpoch: 4, bytes: 20 + 100, latest: false, architecture: 'lenet5' },
      ],
    );
  });

  it('reads the last lines of trainer.log from its end, and none without a log', async () => {
    assert.deepEqual(await readLogTail(runDir, 3), []);
    const lines = Array.from({ length: 2000 }, (_, i) => `2026-11-28T10:00:00.000Z line ${i}`);
    await writeFile(path.join(runDir, 'trainer.log'), `${lines.join('\n')}\n\n`);
    assert.deepEqual(await readLogTail(runDir, 3), lines.slice(-3));
    await writeFile(path.join(runDir, 'trainer.log'), 'only\n');
    assert.deepEqual(await readLogTail(runDir, 3), ['only']);
    const failed = '2026-11-28T10:00:01.000Z failed: boom';
    await writeFile(
      path.join(runDir, 'trainer.log'),
      `${lines.slice(-2).join('\n')}\n${failed}\nError: boom\n    at f (trainer.js:1:2)\n    at async g (trainer.js:3:4)\n`,
    );
    assert.deepEqual(await readLogTail(runDir, 3), [lines.at(-1), failed, 'Error: boom'], "a stack's frames are not the tail");
  });

  it('reads the experiment name a run ran, and nothing from a missing or torn experiment.json', async () => {
    assert.equal(await readRunExperimentName(runDir), undefined);
    await writeFile(path.join(runDir, 'experiment.json'), '{"name": "digits-mt", "da');
    assert.equal(await readRunExperimentName(runDir), undefined);
    await writeFile(path.join(runDir, 'experiment.json'), JSON.stringify({ version: 1, name: 'digits-mt', data: {} }));
    assert.equal(await readRunExperimentName(runDir), 'digits-mt');
  });
});
