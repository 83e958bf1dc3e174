import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readLockJson } from '../../src/runFolder/readRunFiles';
import { RUN_FILES } from '../../src/runFolder/runFolderFormat';
import { startBackend } from '../../src/trainer/cli/startBackend';
import { startTraining } from '../../src/trainer/cli/train';
import { RunLockedError, takeRunLock } from '../../src/trainer/runLoop/runFolderLock';
import { tinyExperiment, writeExperiment } from '../fixtures/experiments';
import { createImageTree } from '../fixtures/imageTree';

// One writer per run folder: lock.json names it, and a second trainer leaves the folder alone.

let root: string;
let runsDir: string;
const quiet = () => undefined;

/** Every file of a run folder and its contents: what a refused trainer must not change. */
async function snapshot(runDir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(runDir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      files[path.relative(runDir, path.join(entry.parentPath, entry.name))] = (await readFile(path.join(entry.parentPath, entry.name))).toString('base64');
  }
  return files;
}

function experimentFile(name: string, fields: Record<string, unknown> = {}): Promise<string> {
  return writeExperiment(
    root,
    name,
    tinyExperiment({
      name,
      data: { root: path.join(root, 'data'), source: 'src', targets: ['t1'] },
      method: { name: 'source-only', model: 'student' },
      ...fields,
    }),
  );
}

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-lock-'));
  runsDir = path.join(root, 'runs');
  await createImageTree(path.join(root, 'data'), { src: { a: 4, b: 4 }, t1: { a: 4, b: 4 } });
  await startBackend('wasm', quiet);
});
after(() => rm(root, { recursive: true, force: true }));

describe('the run folder lock', () => {
  it('refuses a resume while a live trainer holds the run, naming it, and leaves the folder untouched', async () => {
    const file = await experimentFile('busy');
    const { runDir } = await startTraining({ file, runsDir, stop: { requested: true }, echo: quiet });
    await assert.rejects(readLockJson(runDir), /lock\.json is missing/, 'released when the trainer ends');
    // This process stands for a trainer still writing the run.
    const held = await takeRunLock(runDir);
    try {
      const before = await snapshot(runDir);
      await assert.rejects(
        startTraining({ resume: runDir, stop: { requested: false }, echo: quiet }),
        (error: Error) =>
          error instanceof RunLockedError &&
          error.message.startsWith(`${runDir} is being written by another trainer (pid ${process.pid} on ${os.hostname()}, since `),
      );
      assert.deepEqual(await snapshot(runDir), before);
    } finally {
      await held.release();
    }
    assert.equal((await startTraining({ resume: runDir, stop: { requested: false }, echo: quiet })).state, 'done');
  });

  it('takes over the lock of a trainer that is gone from this machine', async () => {
    const file = await experimentFile('killed');
    const { runDir } = await startTraining({ file, runsDir, stop: { requested: true }, echo: quiet });
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(path.join(runDir, RUN_FILES.lock), JSON.stringify({ version: 1, host: os.hostname(), pid: gone, startedAt: '2026-01-01T00:00:00Z' }));
    const resumed = await startTraining({ resume: runDir, stop: { requested: false }, echo: quiet });
    assert.equal(resumed.state, 'done');
    await assert.rejects(readLockJson(runDir), /lock\.json is missing/);
  });

  it('never takes over a lock from another machine, and says how to remove it by hand', async () => {
    const file = await experimentFile('remote');
    const { runDir } = await startTraining({ file, runsDir, stop: { requested: true }, echo: quiet });
    const lock = path.join(runDir, RUN_FILES.lock);
    await writeFile(lock, JSON.stringify({ version: 1, host: 'node-17.cluster', pid: 4242, startedAt: '2026-01-01T00:00:00Z' }));
    await assert.rejects(
      startTraining({ resume: runDir, stop: { requested: false }, echo: quiet }),
      (error: Error) =>
        error instanceof RunLockedError &&
        error.message.includes(`locked by a trainer on another machine (pid 4242 on node-17.cluster`) &&
        error.message.includes(`delete ${lock}`),
    );
    assert.equal((await readLockJson(runDir)).host, 'node-17.cluster');
  });

  it('one of two trainers taking the lock at once gets it', async () => {
    const dir = await mkdtemp(path.join(root, 'race-'));
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(path.join(dir, RUN_FILES.lock), JSON.stringify({ version: 1, host: os.hostname(), pid: gone, startedAt: '2026-01-01T00:00:00Z' }));
    const outcomes = await Promise.allSettled([takeRunLock(dir), takeRunLock(dir), takeRunLock(dir)]);
    assert.equal(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 1, JSON.stringify(outcomes));
    assert.equal((await readLockJson(dir)).pid, process.pid);
    assert.deepEqual((await readdir(dir)).sort(), [RUN_FILES.lock], 'no temp files left');
  });
});
