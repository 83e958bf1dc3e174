import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseEvents } from '../../src/runFolder/eventLog';
import { readLatestJson, readMetaJson, readResultsJson, readStatusJson } from '../../src/runFolder/readRunFiles';
import type { RunResults } from '../../src/runFolder/results';
import { RUN_FILES } from '../../src/runFolder/runFolderFormat';
import { tinyExperiment, writeExperiment } from '../fixtures/experiments';
import { createImageTree } from '../fixtures/imageTree';
import { poll } from '../harness/poll';

// The real trainer killed with SIGKILL at chosen moments, then resumed: each run must end done with
// an unbroken run's results, its events readable and latest.json naming a complete checkpoint.

const trainer = path.resolve(__dirname, '../../../dist/trainer.js');

let root: string;
let file: string;

interface Trainer {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startTrainer(args: string[]): Trainer {
  const child = spawn(process.execPath, [trainer, 'train', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

async function runToEnd(args: string[]): Promise<void> {
  const run = startTrainer(args);
  assert.equal(await run.exited, 0, run.output());
}

async function onlyRun(runsDir: string): Promise<string | undefined> {
  const runs = await readdir(runsDir).catch(() => []);
  return runs.length === 1 ? path.join(runsDir, runs[0]) : undefined;
}

/** The events of a run folder; every complete line must be an event (a torn last line is left unread). */
async function events(runDir: string) {
  const parsed = parseEvents(await readFile(path.join(runDir, RUN_FILES.events), 'utf8').catch(() => ''));
  assert.deepEqual(parsed.badLines, []);
  return parsed.events;
}

/** latest.json, when it exists, names sets whose every file is there and readable. */
async function assertLatestComplete(runDir: string): Promise<void> {
  const latest = await readLatestJson(runDir).catch((error: Error) => (/is missing/.test(error.message) ? undefined : assert.fail(error.message)));
  if (!latest) return;
  for (const dir of Object.values(latest.roles)) {
    const set = path.join(runDir, dir);
    JSON.parse(await readFile(path.join(set, 'model.json'), 'utf8'));
    await access(path.join(set, 'weights.bin'));
    assert.equal((await readMetaJson(set)).globalStep, latest.globalStep);
  }
}

/** What must not depend on interruptions: the scores of every epoch and the final table. */
function outcome(results: RunResults) {
  return { history: results.history, headline: results.headline };
}

let unbroken: ReturnType<typeof outcome>;
let finalLosses: Record<string, number>;

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-faults-'));
  await createImageTree(path.join(root, 'data'), { src: { a: 6, b: 6 }, t1: { a: 6, b: 6 } });
  file = await writeExperiment(
    root,
    'faults',
    tinyExperiment({ data: { root: 'data', source: 'src', targets: ['t1'] }, epochs: 2, stepsPerEpoch: 3, seed: 11 }),
  );
  const runsDir = path.join(root, 'unbroken');
  await runToEnd([file, '--runs-dir', runsDir]);
  const runDir = (await onlyRun(runsDir))!;
  unbroken = outcome(await readResultsJson(runDir));
  finalLosses = (await events(runDir)).flatMap((event) => (event.kind === 'epoch' ? [event.losses] : [])).at(-1)!;
});
after(() => rm(root, { recursive: true, force: true }));

/** Kills the trainer with SIGKILL when `moment` first holds of its run folder, then resumes it to the end. */
async function killThenResume(name: string, moment: (runDir: string) => Promise<boolean>): Promise<string> {
  const runsDir = path.join(root, name);
  const run = startTrainer([file, '--runs-dir', runsDir]);
  const runDir = await poll(
    `the moment "${name}"`,
    async () => {
      const dir = await onlyRun(runsDir);
      return dir !== undefined && (await moment(dir)) && dir;
    },
    60_000,
    5,
  ).catch((error: Error) => assert.fail(`${error.message}:\n${run.output()}`));
  run.child.kill('SIGKILL');
  await run.exited;
  await events(runDir);
  await assertLatestComplete(runDir);
  if ((await readStatusJson(runDir)).state !== 'done') await runToEnd(['--resume', runDir]);
  assert.equal((await readStatusJson(runDir)).state, 'done');
  await events(runDir);
  await assertLatestComplete(runDir);
  assert.deepEqual(outcome(await readResultsJson(runDir)), unbroken);
  const losses = (await events(runDir)).flatMap((event) => (event.kind === 'epoch' ? [event.losses] : [])).at(-1);
  assert.deepEqual(losses, finalLosses);
  return runDir;
}

const stepsDone = async (runDir: string, epoch: number) => (await events(runDir)).some((event) => event.kind === 'step' && event.epoch === epoch);
const hasTempFile = async (dir: string): Promise<boolean> => (await readdir(dir, { recursive: true }).catch(() => [])).some((name) => name.endsWith('.tmp'));

describe('kd-uda train killed with SIGKILL, then resumed', () => {
  it("before the first checkpoint: starts over, with an unbroken run's results", async () => {
    const runDir = await killThenResume('before-checkpoint', (dir) => stepsDone(dir, 1));
    assert.ok((await events(runDir)).some((event) => event.kind === 'resume' && event.startedOver));
  });

  it('mid-epoch after a checkpoint', async () => {
    await killThenResume('mid-epoch', (dir) => stepsDone(dir, 2));
  });

  it('during a checkpoint write (best effort: when a temp file shows)', async () => {
    await killThenResume('checkpoint-write', async (dir) => (await hasTempFile(path.join(dir, RUN_FILES.checkpoints))) || (await stepsDone(dir, 2)));
  });

  it('while results are written (after the last epoch is checkpointed)', async () => {
    await killThenResume('results', async (dir) => (await events(dir)).some((event) => event.kind === 'epoch' && event.epoch === 2));
  });

  it('two resumes at once: exactly one proceeds', async () => {
    const runsDir = path.join(root, 'two-resumes');
    const run = startTrainer([file, '--runs-dir', runsDir]);
    const runDir = await poll(
      'a step',
      async () => {
        const dir = await onlyRun(runsDir);
        return dir !== undefined && (await stepsDone(dir, 1)) && dir;
      },
      60_000,
      5,
    );
    run.child.kill('SIGKILL');
    await run.exited;
    const [a, b] = [startTrainer(['--resume', runDir]), startTrainer(['--resume', runDir])];
    const codes = await Promise.all([a.exited, b.exited]);
    assert.deepEqual([...codes].sort(), [0, 3], `${a.output()}\n---\n${b.output()}`);
    const refused = codes[0] === 3 ? a : b;
    assert.match(refused.output(), new RegExp(`is being written by another trainer \\(pid \\d+ on ${os.hostname()}`));
    assert.equal((await readStatusJson(runDir)).state, 'done');
    assert.deepEqual(outcome(await readResultsJson(runDir)), unbroken);
    assert.equal((await events(runDir)).filter((event) => event.kind === 'results').length, 1);
  });
});
