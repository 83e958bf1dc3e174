import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parsePrepareMessage, type PreparedRuns } from '../../src/runFolder/preparedRuns';
import { parseEvents } from '../../src/runFolder/eventLog';
import { readExperimentJson, readStatusJson, readSweepJson } from '../../src/runFolder/readRunFiles';
import { readExperimentFile } from '../../src/trainer/cli/experimentFile';
import { prepareRuns } from '../../src/trainer/cli/prepare';
import { poll } from '../harness/poll';
import { RUN_FILES } from '../../src/runFolder/runFolderFormat';
import { tinyExperiment, writeExperiment } from '../fixtures/experiments';
import { createImageTree } from '../fixtures/imageTree';

// prepare and sweep as a terminal (or the extension) runs them: the real trainer bundle, whose
// sweep starts real trainers as child processes, on a tiny dataset on wasm.

const trainer = path.resolve(__dirname, '../../../dist/trainer.js');

function runTrainer(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; messages: unknown[] }> {
  const child = spawn(process.execPath, [trainer, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let stdout = '';
  let stderr = '';
  const messages: unknown[] = [];
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('message', (message) => messages.push(message));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, messages })));
}

/** The one prepared-runs message a command sent over IPC. */
function preparedMessage(messages: unknown[]): PreparedRuns {
  const parsed = messages.map(parsePrepareMessage).filter((message) => message?.kind === 'runs-prepared');
  assert.equal(parsed.length, 1, JSON.stringify(messages));
  return parsed[0];
}

describe('kd-uda prepare and sweep on a 2-point seed sweep', () => {
  let root: string;
  let file: string;
  let runsDir: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-sweep-'));
    await createImageTree(path.join(root, 'data'), { src: { a: 4, b: 4 }, t1: { a: 4, b: 4 } });
    file = await writeExperiment(
      root,
      'seeds',
      tinyExperiment({ data: { root: 'data', source: 'src', targets: ['t1'] }, method: { name: 'source-only' }, sweep: { seed: [0, 1] } }),
    );
    runsDir = path.join(root, 'runs');
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('refuses a sweep with a point that cannot run, naming the point on its value, and creates nothing', async () => {
    const bad = await writeExperiment(
      root,
      'bad',
      tinyExperiment({ data: { root: 'data', source: 'src', targets: ['t1'] }, method: { name: 'source-only' }, sweep: { 'data.source': ['src', 'nowhere'] } }),
    );
    const badRuns = path.join(root, 'bad-runs');
    const { code, stderr, messages } = await runTrainer(['sweep', bad, '--runs-dir', badRuns]);
    assert.equal(code, 2, stderr);
    const text = await readFile(bad, 'utf8');
    const line = text.split('\n').findIndex((candidate) => candidate.includes('"nowhere"')) + 1;
    assert.match(stderr, new RegExp(`bad\\.kdexp\\.json:${line}:\\d+: data\\.source: sweep point 2 of 2 \\(data\\.source=nowhere\\): .*nowhere`));
    assert.equal(existsSync(badRuns), false, 'no run folder, not even the runs directory');
    const refusal = messages.map(parsePrepareMessage).find((message) => message?.kind === 'prepare-refused');
    assert.ok(refusal, JSON.stringify(messages));
    const train = await runTrainer(['train', file, '--runs-dir', badRuns]);
    assert.equal(train.code, 2);
    assert.match(train.stderr, /seeds\.kdexp\.json is a sweep of 2 runs \(over seed\): run it with kd-uda sweep/);
    const unknown = await runTrainer(['sweep', file, '--runs-dir', badRuns, '--executor', 'cloud']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown executor "cloud"; give one of local, slurm/);
    assert.equal(existsSync(badRuns), false);
  });

  it('prepares a queued folder per point, runs both to done, then reuses them without training again', async () => {
    const prepare = await runTrainer(['prepare', file, '--runs-dir', runsDir, '--json']);
    assert.equal(prepare.code, 0, prepare.stderr);
    const prepared = parsePrepareMessage(JSON.parse(prepare.stdout));
    assert.deepEqual(preparedMessage(prepare.messages), prepared, 'the launcher is told what stdout says');
    assert.ok(prepared?.kind === 'runs-prepared');
    assert.match(prepared.sweepId ?? '', /^seeds-[0-9a-f]{8}$/);
    assert.equal(prepared.count, 2);
    assert.deepEqual(
      prepared.runs.map((run) => [run.index, run.point, run.state, run.reused]),
      [
        [0, { seed: 0 }, 'queued', false],
        [1, { seed: 1 }, 'queued', false],
      ],
    );
    const folders = (await readdir(runsDir)).sort();
    assert.equal(folders.length, 2);
    for (const run of prepared.runs) {
      assert.deepEqual((await readdir(run.runDir)).sort(), [RUN_FILES.experiment, RUN_FILES.status, RUN_FILES.sweep], 'a prepared run folder');
      const experiment = (await readExperimentJson(run.runDir)) as Record<string, unknown>;
      assert.equal(experiment.seed, run.point.seed);
      assert.equal((experiment.data as { root: string }).root, path.join(root, 'data'), 'paths resolved as train resolves them');
      assert.equal('sweep' in experiment, false);
    }

    const sweep = await runTrainer(['sweep', file, '--runs-dir', runsDir, '--parallel', '2']);
    assert.equal(sweep.code, 0, sweep.stdout + sweep.stderr);
    assert.deepEqual((await readdir(runsDir)).sort(), folders, 'the prepared folders are the ones run');
    assert.equal(preparedMessage(sweep.messages).runs.filter((run) => run.reused).length, 2);
    assert.match(sweep.stdout, /^started 1\/2 \(seed=0\): /m);
    assert.match(sweep.stdout, /^started 2\/2 \(seed=1\): /m);
    assert.match(sweep.stdout, /^done 1\/2 \(seed=0\) in \d+s$/m);
    assert.match(sweep.stdout, /^done 2\/2 \(seed=1\) in \d+s$/m);
    assert.match(sweep.stdout, /^sweep seeds-[0-9a-f]{8}: 2 runs: 2 done$/m);
    const memberships = await Promise.all(prepared.runs.map((run) => readSweepJson(run.runDir)));
    assert.deepEqual(
      memberships.map((membership) => [membership.sweepId, membership.index, membership.count, membership.point]),
      [
        [prepared.sweepId, 0, 2, { seed: 0 }],
        [prepared.sweepId, 1, 2, { seed: 1 }],
      ],
    );
    for (const run of prepared.runs) {
      assert.equal((await readStatusJson(run.runDir)).state, 'done');
      const [first] = parseEvents(await readFile(path.join(run.runDir, RUN_FILES.events), 'utf8')).events;
      assert.equal(first.kind, 'start', 'a prepared run starts; it does not resume');
    }

    const logTimes = await Promise.all(prepared.runs.map(async (run) => (await stat(path.join(run.runDir, RUN_FILES.log))).mtimeMs));
    // Done points are not checked again: their data may be gone.
    await rename(path.join(root, 'data'), path.join(root, 'data-moved'));
    const again = await runTrainer(['sweep', file, '--runs-dir', runsDir]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.deepEqual((await readdir(runsDir)).sort(), folders, 'no new folder');
    assert.doesNotMatch(again.stdout, /^started/m, 'nothing trained');
    assert.match(again.stdout, /^sweep seeds-[0-9a-f]{8}: 2 runs: 2 done \(2 already before\)$/m);
    assert.deepEqual(
      preparedMessage(again.messages).runs.map((run) => [run.runDir, run.state, run.reused]),
      prepared.runs.map((run) => [run.runDir, 'done', true]),
    );
    assert.deepEqual(await Promise.all(prepared.runs.map(async (run) => (await stat(path.join(run.runDir, RUN_FILES.log))).mtimeMs)), logTimes);
  });
});

describe('prepare reuses the run folders of the same experiment', () => {
  let root: string;
  let runsDir: string;
  const fields = { data: { root: 'data', source: 'src', targets: ['t1'] }, method: { name: 'source-only' } };
  const setState = (runDir: string, state: string) => writeFile(path.join(runDir, RUN_FILES.status), JSON.stringify({ version: 1, state }));
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-reuse-'));
    await createImageTree(path.join(root, 'data'), { src: { a: 4, b: 4 }, t1: { a: 4, b: 4 } });
    runsDir = path.join(root, 'runs');
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('the furthest along first, one folder per point, joining the sweep when a folder belongs to none', async () => {
    const file = await writeExperiment(root, 'reuse', tinyExperiment({ ...fields, sweep: { seed: [0, 1] } }));
    const first = await prepareRuns(await readExperimentFile(file), runsDir);
    const [zero, one] = first.runs.map((run) => run.runDir);
    // An older copy of point 0 that failed, and point 1 stopped and out of the sweep.
    const olderCopy = path.join(runsDir, '20000101-000000-reuse');
    await cp(zero, olderCopy, { recursive: true });
    await setState(olderCopy, 'failed');
    await setState(zero, 'done');
    await setState(one, 'stopped');
    await rm(path.join(one, RUN_FILES.sweep));

    const again = await prepareRuns(await readExperimentFile(file), runsDir);
    assert.deepEqual(
      again.runs.map((run) => [run.runDir, run.state, run.reused]),
      [
        [zero, 'done', true],
        [one, 'stopped', true],
      ],
    );
    assert.deepEqual(await readSweepJson(one), { version: 1, sweepId: first.sweepId, index: 1, count: 2, point: { seed: 1 } }, 'joined the sweep again');

    // Without a sweep, seed 0 is point 0's experiment: its done run is reused and stays in its sweep.
    const alone = await writeExperiment(root, 'reuse', tinyExperiment({ ...fields, seed: 0 }));
    const single = await prepareRuns(await readExperimentFile(alone), runsDir);
    assert.deepEqual(single, { kind: 'runs-prepared', sweepId: null, count: 1, runs: [{ index: 0, point: {}, runDir: zero, state: 'done', reused: true }] });
    assert.equal((await readSweepJson(zero)).sweepId, first.sweepId);

    // A value that only spells out the default (seed 0) makes two points of one experiment: a folder each.
    const spelled = await writeExperiment(root, 'reuse', tinyExperiment({ ...fields, sweep: { 'optimizer.name': ['sgd', 'adam'], seed: [0] } }));
    const twice = await prepareRuns(await readExperimentFile(spelled), runsDir);
    assert.deepEqual(
      twice.runs.map((run) => [run.runDir === zero, run.reused]),
      [
        [true, true],
        [false, false],
      ],
    );
    assert.equal((await readdir(runsDir)).length, 4, 'only the adam point got a new folder');

    // A name is a label: the same settings under another name are the same run.
    const renamed = await writeExperiment(root, 'renamed', tinyExperiment({ ...fields, name: 'another-label', seed: 0 }));
    const relabelled = await prepareRuns(await readExperimentFile(renamed), runsDir);
    assert.deepEqual(
      relabelled.runs.map((run) => [run.runDir, run.reused]),
      [[zero, true]],
    );

    // --new reuses nothing, not even the done run: Start Run pressed again starts another run.
    const fresh = await runTrainer(['prepare', renamed, '--runs-dir', runsDir, '--new', '--json']);
    assert.equal(fresh.code, 0, fresh.stderr);
    const [created] = (JSON.parse(fresh.stdout) as PreparedRuns).runs;
    assert.deepEqual([created.state, created.reused], ['queued', false]);
    assert.notEqual(created.runDir, zero);
    assert.equal((await readdir(runsDir)).length, 5, `a new folder beside the done run of the same experiment: ${(await readdir(runsDir)).join(', ')}`);
    assert.deepEqual({ ...(await readExperimentJson(created.runDir)), name: 'reuse' }, await readExperimentJson(zero));
  });
});

describe('kd-uda sweep stopped by SIGTERM, then run again', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-sweep-stop-'));
    await createImageTree(path.join(root, 'data'), { src: { a: 4, b: 4 }, t1: { a: 4, b: 4 } });
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('stops the running trainer at a checkpoint, starts no more, and continues both later', async () => {
    const file = await writeExperiment(
      root,
      'stop',
      tinyExperiment({
        data: { root: 'data', source: 'src', targets: ['t1'] },
        method: { name: 'source-only' },
        // Steps enough for the stop to land mid-run, which the resume then continues.
        stepsPerEpoch: 10,
        sweep: { seed: [0, 1] },
      }),
    );
    const runsDir = path.join(root, 'runs');
    const child = spawn(process.execPath, [trainer, 'sweep', file, '--runs-dir', runsDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const steps = async (runDir: string) =>
      parseEvents(await readFile(path.join(runDir, RUN_FILES.events), 'utf8').catch(() => '')).events.filter((event) => event.kind === 'step').length;
    const first = await poll(
      'the first run to train',
      async () => {
        const runs = (await readdir(runsDir).catch(() => [])).sort();
        return runs.length === 2 && (await steps(path.join(runsDir, runs[0]))) > 0 && path.join(runsDir, runs[0]);
      },
      60_000,
      20,
    ).catch((error: Error) => assert.fail(`${error.message}\n${output}`));
    child.kill('SIGTERM');
    assert.equal(await exited, 1, output);
    assert.match(output, /^stopped 1\/2 \(seed=0\)/m);
    assert.match(output, /^not started 2\/2 \(seed=1\): the sweep was stopped first$/m);
    assert.match(output, /2 runs: 0 done, 1 stopped, 1 not started$/m);
    assert.equal((await readStatusJson(first)).state, 'stopped');

    const again = await runTrainer(['sweep', file, '--runs-dir', runsDir]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal((await readdir(runsDir)).length, 2, 'the same two folders');
    const events = parseEvents(await readFile(path.join(first, RUN_FILES.events), 'utf8')).events;
    assert.ok(
      events.some((event) => event.kind === 'resume'),
      'the stopped run was resumed, not started over',
    );
    assert.match(again.stdout, /2 runs: 2 done$/m);
  });
});
