import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listRuns } from '../../src/runFolder/listRuns';

describe('listRuns', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-runs-'));
    const runs: Record<string, string | undefined> = {
      '20261101-100000-a': JSON.stringify({ version: 1, state: 'done' }),
      '20261102-100000-b': JSON.stringify({ version: 1, state: 'running' }),
      '20261103-100000-torn': '{"version":1,"sta',
      '20261104-100000-future': JSON.stringify({ version: 7, state: 'done' }),
      '20261105-100000-nostatus': undefined,
      '20261106-100000-badstate': JSON.stringify({ version: 1, state: 'exploded' }),
      '20261107-100000-failed': JSON.stringify({ version: 1, state: 'failed', error: 'the student\'s loss term "ce" is NaN' }),
    };
    for (const [runId, status] of Object.entries(runs)) {
      await mkdir(path.join(dir, runId));
      if (status !== undefined) await writeFile(path.join(dir, runId, 'status.json'), status);
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('lists run folders newest first with their state, and says what is wrong with unreadable ones', async () => {
    const runs = await listRuns(dir);
    assert.deepEqual(
      runs.map((run) => run.runId),
      [
        '20261107-100000-failed',
        '20261106-100000-badstate',
        '20261105-100000-nostatus',
        '20261104-100000-future',
        '20261103-100000-torn',
        '20261102-100000-b',
        '20261101-100000-a',
      ],
    );
    const byId = new Map(runs.map((run) => [run.runId, run]));
    assert.equal(byId.get('20261101-100000-a')?.state, 'done');
    assert.equal(byId.get('20261102-100000-b')?.state, 'running');
    assert.equal(byId.get('20261107-100000-failed')?.state, 'failed');
    assert.match(byId.get('20261107-100000-failed')?.error ?? '', /loss term "ce" is NaN/);
    assert.equal(byId.get('20261101-100000-a')?.error, undefined);
    assert.match(byId.get('20261103-100000-torn')?.problem ?? '', /status\.json is not valid JSON/);
    assert.match(byId.get('20261104-100000-future')?.problem ?? '', /format version 7.*reads up to 1/);
    assert.match(byId.get('20261105-100000-nostatus')?.problem ?? '', /status\.json is missing/);
    assert.match(byId.get('20261106-100000-badstate')?.problem ?? '', /status\.json: state must be one of queued, running, stopped, failed, done$/);
  });

  it('reads a run whose trainer process is gone while it says running as failed, on this machine only', async () => {
    const crashDir = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-runs-crash-'));
    try {
      const gone = spawnSync(process.execPath, ['-e', '']).pid;
      const runs: Record<string, object> = {
        '20261101-100000-crashed': { version: 1, state: 'running', pid: gone, host: os.hostname() },
        '20261102-100000-alive': { version: 1, state: 'running', pid: process.pid, host: os.hostname() },
        '20261103-100000-elsewhere': { version: 1, state: 'running', pid: gone, host: `not-${os.hostname()}` },
        '20261104-100000-ended': { version: 1, state: 'done', pid: gone, host: os.hostname() },
      };
      for (const [runId, status] of Object.entries(runs)) {
        await mkdir(path.join(crashDir, runId));
        await writeFile(path.join(crashDir, runId, 'status.json'), JSON.stringify(status));
      }
      const byId = new Map((await listRuns(crashDir)).map((run) => [run.runId, run]));
      assert.equal(byId.get('20261101-100000-crashed')?.state, 'failed');
      assert.match(byId.get('20261101-100000-crashed')?.error ?? '', new RegExp(`the trainer \\(pid ${gone}\\) is gone but never recorded an end`));
      assert.equal(byId.get('20261102-100000-alive')?.state, 'running');
      assert.equal(byId.get('20261103-100000-elsewhere')?.state, 'running', 'a process on another machine cannot be checked from here');
      assert.equal(byId.get('20261104-100000-ended')?.state, 'done');
    } finally {
      await rm(crashDir, { recursive: true, force: true });
    }
  });

  it('reads a run whose lock a live trainer holds as running, whatever its status says yet', async () => {
    const lockDir = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-runs-lock-'));
    try {
      const gone = spawnSync(process.execPath, ['-e', '']).pid;
      const here = os.hostname();
      const runs: Record<string, { status: object; lock: object }> = {
        // A resume of a killed run: the old pid in status.json, the new trainer in lock.json.
        '20261101-100000-resuming': {
          status: { version: 1, state: 'running', pid: gone, host: here },
          lock: { version: 1, host: here, pid: process.pid, startedAt: '2026-11-01T10:00:00Z' },
        },
        '20261102-100000-restarting': {
          status: { version: 1, state: 'stopped', pid: gone, host: here },
          lock: { version: 1, host: here, pid: process.pid, startedAt: '2026-11-01T10:00:00Z' },
        },
        '20261103-100000-stale': {
          status: { version: 1, state: 'running', pid: gone, host: here },
          lock: { version: 1, host: here, pid: gone, startedAt: '2026-11-01T10:00:00Z' },
        },
      };
      for (const [runId, { status, lock }] of Object.entries(runs)) {
        await mkdir(path.join(lockDir, runId));
        await writeFile(path.join(lockDir, runId, 'status.json'), JSON.stringify(status));
        await writeFile(path.join(lockDir, runId, 'lock.json'), JSON.stringify(lock));
      }
      const byId = new Map((await listRuns(lockDir)).map((run) => [run.runId, run]));
      assert.equal(byId.get('20261101-100000-resuming')?.state, 'running');
      assert.equal(byId.get('20261102-100000-restarting')?.state, 'running');
      assert.equal(byId.get('20261103-100000-stale')?.state, 'failed');
      assert.match(byId.get('20261103-100000-stale')?.error ?? '', /is gone but never recorded an end: it crashed or was killed$/);
      // What to do is the reader's to say: a terminal names `kd-uda train --resume`, VS Code offers a Resume button.
      assert.doesNotMatch(byId.get('20261103-100000-stale')?.error ?? '', /kd-uda|--resume/);
    } finally {
      await rm(lockDir, { recursive: true, force: true });
    }
  });

  it('gives an empty list for a runs folder that does not exist', async () => {
    assert.deepEqual(await listRuns(path.join(dir, 'nope')), []);
  });
});
