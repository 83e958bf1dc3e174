import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readEvents } from '../../src/runFolder/eventLog';
import { readLatestJson, readStatusJson } from '../../src/runFolder/readRunFiles';
import { RUN_FILES } from '../../src/runFolder/runFolderFormat';
import { tinyExperiment, writeExperiment } from '../fixtures/experiments';
import { createImageTree } from '../fixtures/imageTree';
import { poll } from '../harness/poll';

// The extension stops a run with SIGTERM: the real trainer bundle, as the extension spawns it.
const trainer = path.resolve(__dirname, '../../../dist/trainer.js');

/** The real trainer on `file`, once its run has taken a first step: the process, its output so far, its exit and its run folder. */
async function trainUntilFirstStep(file: string, runsDir: string) {
  const child = spawn(process.execPath, [trainer, 'train', file, '--runs-dir', runsDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const collected = { text: '' };
  child.stdout.on('data', (chunk: Buffer) => (collected.text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (collected.text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const runDir = await poll(
    'a first training step',
    async () => {
      const runs = await readdir(runsDir).catch(() => []);
      if (runs.length !== 1) return undefined;
      const dir = path.join(runsDir, runs[0]);
      return (await readEvents(path.join(dir, RUN_FILES.events))).events.some((event) => event.kind === 'step') && dir;
    },
    30_000,
  ).catch((error: Error) => assert.fail(`${error.message}:\n${collected.text}`));
  return { child, exited, runDir, output: collected };
}

describe('kd-uda train under SIGTERM', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-signal-'));
    await createImageTree(path.join(root, 'data'), { src: { a: 6, b: 6 }, t1: { a: 6, b: 6 } });
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('finishes the step, writes a checkpoint, marks the run stopped and exits 0', async () => {
    const file = await writeExperiment(root, 'long', tinyExperiment({ data: { root: 'data', source: 'src', targets: ['t1'] }, stepsPerEpoch: 100000 }));
    const runsDir = path.join(root, 'runs');
    const { child, output, exited, runDir } = await trainUntilFirstStep(file, runsDir);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, output.text);
    const status = await readStatusJson(runDir);
    assert.equal(status.state, 'stopped');
    assert.ok(status.endedAt);
    const latest = await readLatestJson(runDir);
    assert.ok(latest.stepInEpoch >= 1 && latest.stepInEpoch < 100000);
    assert.deepEqual(Object.keys(latest.roles).sort(), ['student', 'teacher']);
    const steps = (await readEvents(path.join(runDir, RUN_FILES.events))).events.flatMap((event) => (event.kind === 'step' ? [event] : []));
    assert.equal(steps.length, latest.globalStep, 'the checkpoint holds every step the events report');
  });

  it('a second signal exits at once, leaving a status that says what is on disk and no lock', async () => {
    const file = await writeExperiment(root, 'twice', tinyExperiment({ data: { root: 'data', source: 'src', targets: ['t1'] }, stepsPerEpoch: 100000 }));
    const runsDir = path.join(root, 'runs-twice');
    const { child, output, exited, runDir } = await trainUntilFirstStep(file, runsDir);
    child.kill('SIGTERM');
    // Signals are not queued: the second is sent once the trainer has taken the first.
    await poll('the first signal taken', () => output.text.includes('finishing the step'), 10_000, 2);
    child.kill('SIGTERM');
    assert.equal(await exited, 130, output.text);
    const status = await readStatusJson(runDir);
    assert.ok(status.endedAt);
    // Both signals usually land before the stop's checkpoint is written; either way the status is true to the disk.
    const latest = await readLatestJson(runDir).catch(() => undefined);
    if (latest) assert.equal(status.state, 'stopped', JSON.stringify(status));
    else
      assert.match(
        status.error ?? '',
        /^interrupted twice \(SIGTERM\) before its first checkpoint was written; --resume .* starts it over from step 0$/,
        JSON.stringify(status),
      );
    if (!latest) assert.equal(status.state, 'failed');
    await assert.rejects(readdir(path.join(runDir, 'lock.json')), /ENOENT/, 'the lock is released');
  });
});
