import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RunComparisonReader } from '../../src/runComparison/readRunComparison';
import type { ComparisonTable } from '../../src/runComparison/runComparison';
import { writeRunFolder } from '../fixtures/experiments';
import { summariseRun } from '../../src/runComparison/runSummary';
import { parseEvents } from '../../src/runFolder/eventLog';
import { epochEvent, eventLines, evalEvent, modelCost, runResults } from '../fixtures/runFolderFiles';

const experiment = (name: string) => ({
  version: 1,
  name,
  data: { root: './digits', source: 'mnist', targets: ['svhn', 'usps'] },
  method: { name: 'kd-stda' },
});

function cell(table: ComparisonTable, runId: string, key: string): unknown {
  const row = table.rows.find((entry) => entry.runId === runId);
  const index = table.columns.findIndex((entry) => entry.key === key);
  assert.ok(row && index >= 0, `no ${runId} / ${key}`);
  return row.cells[index];
}

describe('RunComparisonReader', () => {
  let dir: string;

  const writeRun = (runId: string, files: Record<string, unknown>) => writeRunFolder(path.join(dir, runId), files);

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-compare-'));
    await writeRun('20261101-100000-done', {
      'status.json': { version: 1, state: 'done', startedAt: '2026-11-01T10:00:00.000Z' },
      'experiment.json': experiment('done'),
      'results.json': runResults({
        targets: ['svhn', 'usps'],
        headline: {
          epoch: 20,
          accuracy: { student: { svhn: 0.5, usps: 0.7 }, teacher: { svhn: 0.6, usps: 0.9 } },
          meanTarget: { student: 0.6, teacher: 0.75 },
        },
        costs: { student: modelCost(61706, 416520) },
      }),
    });
    await writeRun('20261102-100000-live', {
      'status.json': { version: 1, state: 'running', startedAt: '2026-11-02T10:00:00.000Z' },
      'experiment.json': experiment('live'),
      'events.jsonl':
        eventLines([
          evalEvent(1, { student: { svhn: 0.1, usps: 0.2, 'source-holdout': 0.9 } }),
          epochEvent(1, 20),
          evalEvent(2, { student: { svhn: 0.3, usps: 0.5, 'source-holdout': 0.95 } }),
          epochEvent(2, 20),
        ]) + '{"t":"t","kind":"ev',
    });
    await writeRun('20261103-100000-torn', { 'status.json': '{"version":1,"sta', 'experiment.json': experiment('torn') });
    await mkdir(path.join(dir, '.hidden'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads every run folder, newest first, with results, live metrics or the reason it cannot', async () => {
    const table = await new RunComparisonReader().read(dir);
    assert.deepEqual(
      table.rows.map((row) => row.runId),
      ['20261103-100000-torn', '20261102-100000-live', '20261101-100000-done'],
    );
    assert.equal(cell(table, '20261101-100000-done', 'epochsRun'), 20);
    assert.equal(cell(table, '20261101-100000-done', 'started'), '2026-11-01T10:00:00.000Z');
    assert.equal(cell(table, '20261101-100000-done', 'acc.student.usps'), 0.7);
    assert.equal(cell(table, '20261101-100000-done', 'acc.teacher.mean'), 0.75);
    assert.equal(cell(table, '20261101-100000-done', 'params.student'), 61706);
    // modelCost's latency: 1 ms for a batch of 32 images.
    assert.equal(cell(table, '20261101-100000-done', 'latency.student'), 1 / 32);
    assert.equal(cell(table, '20261101-100000-done', 'method.name'), 'kd-stda');
    // Still training: the last evaluation, its mean over the experiment's targets (not the source hold-out).
    assert.equal(cell(table, '20261102-100000-live', 'state'), 'running');
    assert.equal(cell(table, '20261102-100000-live', 'epochsRun'), 2);
    assert.equal(cell(table, '20261102-100000-live', 'acc.student.svhn'), 0.3);
    assert.equal(cell(table, '20261102-100000-live', 'acc.student.mean'), 0.4);
    const torn = table.rows.find((row) => row.runId === '20261103-100000-torn');
    assert.equal(cell(table, '20261103-100000-torn', 'state'), 'unreadable');
    assert.match(torn?.problem ?? '', /status\.json is not valid JSON/);
    assert.equal(cell(table, '20261103-100000-torn', 'name'), 'torn', 'what can be read is still shown');
  });

  it('re-reads only the runs whose files changed, and forgets removed ones', async () => {
    const reader = new RunComparisonReader();
    await reader.read(dir);
    // Same size, same name: only the reader's signature (mtime) tells the change; a stale cache would keep 'running'.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writeFile(
      path.join(dir, '20261102-100000-live', 'status.json'),
      JSON.stringify({ version: 1, state: 'stopped', startedAt: '2026-11-02T10:00:00.000Z' }),
    );
    await rm(path.join(dir, '20261103-100000-torn'), { recursive: true });
    const table = await reader.read(dir);
    assert.equal(cell(table, '20261102-100000-live', 'state'), 'stopped');
    assert.deepEqual(
      table.rows.map((row) => row.runId),
      ['20261102-100000-live', '20261101-100000-done'],
    );
  });

  it('keeps its records in a cache file, so a new window reads only what changed since', async () => {
    const cacheFile = path.join(dir, '.cache', 'compare-runs.json');
    // Whole seconds, which utimes restores exactly.
    const results = path.join(dir, '20261101-100000-done', 'results.json');
    await utimes(results, 1_700_000_000, 1_700_000_000);
    const first = await new RunComparisonReader(cacheFile).read(dir);
    // Same size and time, other content: only a reader that trusts its saved record still shows 0.7.
    await writeFile(results, (await readFile(results, 'utf8')).replace('"usps":0.7', '"usps":0.1'));
    await utimes(results, 1_700_000_000, 1_700_000_000);
    const restarted = await new RunComparisonReader(cacheFile).read(dir);
    assert.deepEqual(restarted, first);
    assert.equal(cell(restarted, '20261101-100000-done', 'acc.student.usps'), 0.7);
    assert.equal(cell(await new RunComparisonReader().read(dir), '20261101-100000-done', 'acc.student.usps'), 0.1, 'without the cache the file is read');
  });

  it('reads every run afresh when its cache file is torn or from another version', async () => {
    const cacheFile = path.join(dir, '.cache', 'torn.json');
    await mkdir(path.dirname(cacheFile), { recursive: true });
    for (const content of [
      '{"version":1,"entr',
      JSON.stringify({ version: 99, entries: [[path.join(dir, '20261101-100000-done'), { signature: 'x', record: {} }]] }),
    ]) {
      await writeFile(cacheFile, content);
      const table = await new RunComparisonReader(cacheFile).read(dir);
      assert.equal(cell(table, '20261101-100000-done', 'method.name'), 'kd-stda');
    }
  });

  it('gives an empty table for a runs folder that does not exist', async () => {
    assert.deepEqual((await new RunComparisonReader().read(path.join(dir, 'nope'))).rows, []);
  });
});

describe('RunComparisonReader on runs that break the usual shape', () => {
  let root: string;
  /** Each test reads its own runs folder, so one failing cannot break the next. */
  let dir: string;

  const writeRun = (runId: string, files: Record<string, unknown>) => writeRunFolder(path.join(dir, runId), files);

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-compare-odd-'));
  });
  beforeEach(async () => {
    dir = await mkdtemp(path.join(root, 'runs-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it("reads a run with a malformed evaluation, and makes a run that cannot be read its own row's problem", async () => {
    await writeRun('20261110-100000-ok', {
      'status.json': { version: 1, state: 'done' },
      'experiment.json': experiment('ok'),
      'events.jsonl': eventLines([evalEvent(1, { student: { svhn: 0.5, usps: 0.7 } })]),
    });
    await writeRun('20261111-100000-torn-eval', {
      'status.json': { version: 1, state: 'running' },
      'experiment.json': experiment('torn-eval'),
      'events.jsonl': eventLines([
        evalEvent(1, { student: { svhn: 0.25, usps: 0.75 }, teacher: { svhn: 0.6 } }),
        epochEvent(1, 20),
        { ...evalEvent(2, {}), accuracy: { student: null, teacher: { svhn: 0.6, usps: 'x' } } },
      ]),
    });
    // events.jsonl a folder: reading it fails with EISDIR, which only this run's row may show.
    const broken = await writeRun('20261112-100000-broken', { 'status.json': { version: 1, state: 'running' }, 'experiment.json': experiment('broken') });
    await mkdir(path.join(broken, 'events.jsonl'));
    const table = await new RunComparisonReader().read(dir);
    assert.deepEqual(
      table.rows.map((row) => row.runId),
      ['20261112-100000-broken', '20261111-100000-torn-eval', '20261110-100000-ok'],
    );
    assert.equal(cell(table, '20261110-100000-ok', 'acc.student.mean'), 0.6);
    // The malformed evaluation is skipped whole: the row shows the last one that can be read.
    assert.equal(cell(table, '20261111-100000-torn-eval', 'epochsRun'), 1);
    assert.equal(cell(table, '20261111-100000-torn-eval', 'acc.teacher.svhn'), 0.6);
    assert.equal(cell(table, '20261111-100000-torn-eval', 'acc.teacher.mean'), 0.6);
    assert.equal(cell(table, '20261111-100000-torn-eval', 'acc.student.mean'), 0.5);
    assert.match(table.rows[0].problem ?? '', /EISDIR/);
  });

  it('shows the same mean as the results panel: over the targets with a value', async () => {
    const events = eventLines([evalEvent(1, { teacher: { svhn: 0.8, usps: 0.6 }, student: { svhn: 0.5 } })]);
    await writeRun('20261113-100000-partial', {
      'status.json': { version: 1, state: 'running' },
      'experiment.json': experiment('partial'),
      'events.jsonl': events,
    });
    const table = await new RunComparisonReader().read(dir);
    assert.equal(cell(table, '20261113-100000-partial', 'acc.student.mean'), 0.5);
    const panel = summariseRun(
      { runId: '20261113-100000-partial', runDir: path.join(dir, '20261113-100000-partial') },
      { state: 'running' },
      parseEvents(events),
      { targets: ['svhn', 'usps'], costs: {} },
    );
    assert.equal(panel.rows.find((row) => row.role === 'student')?.meanTarget, 0.5);
  });

  it('shows a killed run as failed, though its files (and its cached record) still say running', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await writeRun('20261114-100000-killed', {
        'status.json': { version: 1, state: 'running', pid: child.pid, host: os.hostname() },
        'experiment.json': experiment('killed'),
      });
      const cacheFile = path.join(dir, '.cache', 'compare-runs.json');
      const reader = new RunComparisonReader(cacheFile);
      assert.equal(cell(await reader.read(dir), '20261114-100000-killed', 'state'), 'running');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      assert.equal(cell(await reader.read(dir), '20261114-100000-killed', 'state'), 'failed');
      assert.equal(cell(await new RunComparisonReader(cacheFile).read(dir), '20261114-100000-killed', 'state'), 'failed', 'from the cache file too');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
