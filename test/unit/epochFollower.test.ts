import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EpochFollower } from '../../src/host/runsView/epochFollower';
import { epochSummary } from '../../src/runFolder/epochSummary';
import type { EpochEvent, RunEvent, StartEvent } from '../../src/runFolder/runEvents';
import { TrainingProgressTracker } from '../../src/runComparison/trainingProgress';
import { parseRunFolderAnnouncement, type RunFolderAnnouncement } from '../../src/runFolder/runFolderAnnouncement';
import { epochEvent, eventLines, startEvent, stepEvent } from '../fixtures/runFolderFiles';
import { createImageTree } from '../fixtures/imageTree';

// How a launcher follows a run without reading its log: the trainer announces its run folder over
// the IPC channel, and the epochs come from that folder's events.

const trainer = path.resolve(__dirname, '../../../dist/trainer.js');

/** Resolves with what `check` returns once it returns something, polling; rejects after `ms`. */
async function eventually<T>(what: string, check: () => T | undefined, ms = 60_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((resolve) => setTimeout(resolve, 50))) {
    const value = check();
    if (value !== undefined) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}

const start = (kind: StartEvent['kind'], pid: number, t = '2026-12-01T10:00:00.000Z'): StartEvent => startEvent(t, kind, pid);

describe('following a run by its folder', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-follow-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('counts only the epochs of the trainer it follows, not those of an earlier session of the run', async () => {
    const runDir = path.join(root, '20261201-100000-resumed');
    await mkdir(runDir);
    await writeFile(path.join(runDir, 'events.jsonl'), eventLines([start('start', 111), epochEvent(1, 3), epochEvent(2, 3)]));
    const seen: EpochEvent[] = [];
    const follower = new EpochFollower(
      runDir,
      { pid: 222 },
      (event) => seen.push(event),
      (message) => assert.fail(message),
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.deepEqual(seen, [], 'the earlier session (pid 111) is not this trainer’s progress');
      await appendFile(path.join(runDir, 'events.jsonl'), eventLines([start('resume', 222), epochEvent(3, 3)]));
      await eventually('the resumed session’s epoch', () => seen.at(0));
      assert.deepEqual(seen, [epochEvent(3, 3)]);
    } finally {
      follower.dispose();
    }
  });

  it('follows a trainer on another machine (a Slurm node) from the first session that starts after it began following', async () => {
    const runDir = path.join(root, '20261201-100000-slurm');
    await mkdir(runDir);
    // The same pid as the new session: on another machine a pid says nothing, the time does.
    await writeFile(path.join(runDir, 'events.jsonl'), eventLines([start('start', 7, '2026-12-01T10:00:00.000Z'), epochEvent(1, 3)]));
    const seen: EpochEvent[] = [];
    const follower = new EpochFollower(
      runDir,
      { since: new Date('2026-12-01T11:00:00.000Z') },
      (event) => seen.push(event),
      (message) => assert.fail(message),
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.deepEqual(seen, [], 'the session that started before the job was submitted is not its progress');
      await appendFile(path.join(runDir, 'events.jsonl'), eventLines([start('resume', 7, '2026-12-01T11:00:05.000Z'), epochEvent(2, 3)]));
      await eventually('the job’s epoch', () => seen.at(0));
      assert.deepEqual(seen, [epochEvent(2, 3)]);
    } finally {
      follower.dispose();
    }
  });

  it('hands a Slurm job’s session events, and only those, to whoever tracks its steps', async () => {
    const runDir = path.join(root, '20261201-100000-slurm-steps');
    await mkdir(runDir);
    await writeFile(path.join(runDir, 'events.jsonl'), eventLines([start('start', 7, '2026-12-01T10:00:00.000Z'), stepEvent(1, 5, 10, { 'student.ce': 9 })]));
    const seen: RunEvent[] = [];
    const tracker = new TrainingProgressTracker();
    const follower = new EpochFollower(
      runDir,
      { since: new Date('2026-12-01T11:00:00.000Z') },
      () => undefined,
      (message) => assert.fail(message),
      (events) => {
        seen.push(...events);
        for (const event of events) tracker.add(event);
      },
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(seen.length, 0, 'the session before the job is not its progress');
      const resumed = start('resume', 7, '2026-12-01T11:00:05.000Z');
      await appendFile(path.join(runDir, 'events.jsonl'), eventLines([resumed, stepEvent(1, 6, 10, { 'student.ce': 1 })]));
      await eventually('the job’s step', () => seen.find((event) => event.kind === 'step'));
      assert.deepEqual(seen, [resumed, stepEvent(1, 6, 10, { 'student.ce': 1 })]);
      const progress = tracker.progress(Date.parse('2026-12-01T11:00:06.000Z'));
      assert.equal(progress?.step, 6);
      assert.equal(progress?.runningLoss?.total, 1);
    } finally {
      follower.dispose();
    }
  });

  it('learns the run folder from the trainer’s announcement and its epochs from the folder, while the log stays for people', async () => {
    const data = path.join(root, 'data');
    await createImageTree(data, { src: { a: 4, b: 4 }, t1: { a: 4, b: 4 } }, { size: 16 });
    const file = path.join(root, 'tiny.kdexp.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'tiny',
        data: { root: data, source: 'src', targets: ['t1'], imageSize: 16, channels: 3, split: { kind: 'all' } },
        student: { architecture: 'lenet5' },
        method: { name: 'source-only' },
        epochs: 2,
        stepsPerEpoch: 2,
        batchSize: 4,
        backend: 'wasm',
      }),
    );
    const child = spawn(process.execPath, [trainer, 'train', file, '--runs-dir', path.join(root, 'runs')], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let log = '';
    child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const announcements: RunFolderAnnouncement[] = [];
    const epochs: EpochEvent[] = [];
    let follower: EpochFollower | undefined;
    child.on('message', (message) => {
      const announced = parseRunFolderAnnouncement(message);
      if (!announced) return;
      announcements.push(announced);
      follower = new EpochFollower(
        announced.runDir,
        { pid: announced.pid },
        (event) => epochs.push(event),
        (problem) => assert.fail(problem),
      );
    });
    try {
      assert.equal(await exited, 0, log);
      await eventually('the last epoch', () => epochs.find((event) => event.epoch === 2));
    } finally {
      follower?.dispose();
    }
    assert.equal(announcements.length, 1);
    const [{ runDir, pid }] = announcements;
    assert.equal(pid, child.pid);
    assert.match(path.basename(runDir), /^\d{8}-\d{6}-tiny$/);
    assert.equal(path.dirname(runDir), path.join(root, 'runs'));
    // A read takes the newest epoch it finds: a fast run may finish two between reads.
    assert.ok(
      epochs.every((event, i) => event.epochs === 2 && (i === 0 || event.epoch > epochs[i - 1].epoch)),
      JSON.stringify(epochs),
    );
    // The human log still says it all, and the host's words for an epoch are the log's.
    assert.match(log, new RegExp(`run folder: ${runDir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    assert.ok(log.includes(epochSummary(epochs.at(-1)!)), log);
  });
});
