/**
 * `kd-uda sweep --executor slurm` against a real one-node Slurm (test/harness/slurmCluster.ts):
 * the trainer bundle as a terminal runs it, real sbatch, squeue and scontrol, and the jobs
 * training tiny runs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readResultsJson, readStatusJson, readSweepJson } from '../../src/runFolder/readRunFiles';
import { SLURM_FILES } from '../../src/slurm/batchScript';
import { tinyExperiment, writeExperiment } from '../fixtures/experiments';
import { createImageTree } from '../fixtures/imageTree';
import { startSlurmCluster, type SlurmCluster } from '../harness/slurmCluster';

const trainer = path.resolve(__dirname, '../../../dist/trainer.js');
/** Two tiny runs take about 15 s here. */
const SWEEP_TIMEOUT_MS = 120_000;

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('kd-uda sweep --executor slurm on a real one-node Slurm', () => {
  let cluster: SlurmCluster;
  let root: string;

  before(async () => {
    cluster = await startSlurmCluster({ log: (line) => console.log(`# ${line}`) });
    root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-sweep-on-slurm-'));
    await createImageTree(path.join(root, 'data'), { src: { a: 6, b: 6 }, t1: { a: 6, b: 6 } });
  });
  after(async () => {
    await cluster?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** The trainer's sweep as a terminal on the cluster's login node runs it; `onLine` sees its stdout as it comes. */
  function sweep(args: string[], onLine?: (line: string) => void): Promise<Finished> {
    const child = spawn(process.execPath, [trainer, 'sweep', ...args], { env: cluster.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) onLine?.(line);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A sweep that never ends (a job submitted twice waits out its --begin) fails the test rather than hang it.
    const timer = setTimeout(() => {
      stderr += `\n(test: killed after ${SWEEP_TIMEOUT_MS / 1000} s)`;
      child.kill('SIGKILL');
    }, SWEEP_TIMEOUT_MS);
    return new Promise((resolve) =>
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      }),
    );
  }

  /** A 2-point seed sweep on Slurm; `executor` adds to (or overrides) the cluster's partition and this node. */
  function sweepFile(name: string, executor: Record<string, unknown> = {}): Promise<string> {
    return writeExperiment(
      root,
      name,
      tinyExperiment({
        data: { root: 'data', source: 'src', targets: ['t1'] },
        method: { name: 'source-only' },
        sweep: { seed: [0, 1] },
        executor: { kind: 'slurm', partition: cluster.partition, time: '10', nodePath: process.execPath, ...executor },
      }),
    );
  }

  async function runDirsOf(runsDir: string): Promise<string[]> {
    return (await readdir(runsDir)).filter((name) => !name.startsWith('.')).map((name) => path.join(runsDir, name));
  }

  it('submits a 2-point sweep as one job array and returns; run again with --wait, it follows that job to done without submitting twice', async () => {
    // The jobs may not start for a while: the sweep returns while they wait, and the second sweep finds them queued.
    const file = await sweepFile('array', { sbatchArgs: ['--begin=now+600'] });
    const runsDir = path.join(root, 'runs-array');
    const submitted = await sweep([file, '--runs-dir', runsDir]);
    assert.equal(submitted.code, 0, submitted.stderr + submitted.stdout);
    const jobId = /submitted Slurm job (\d+) \(a job array of 2 tasks\) for 2 runs/.exec(submitted.stdout)?.[1];
    assert.ok(jobId, submitted.stdout);
    const runDirs = await runDirsOf(runsDir);
    assert.equal(runDirs.length, 2);
    const byTask = new Map<string, string>();
    for (const runDir of runDirs) {
      const status = await readStatusJson(runDir);
      assert.equal(status.state, 'queued');
      const task: string = `${jobId}_${(await readSweepJson(runDir)).index}`;
      assert.deepEqual(status.slurm, { jobId: task, requeues: 0 });
      assert.match(submitted.stdout, new RegExp(`${task} .*${runDir}`), 'the job of each run and its folder are printed');
      assert.ok(existsSync(path.join(runDir, SLURM_FILES.script)), 'each run folder keeps the script that runs it');
      byTask.set(task, runDir);
    }
    // The array's script and run list are in the sweep's folder of the runs folder, which listings skip.
    const sweepId = (await readSweepJson(runDirs[0])).sweepId;
    const [batch] = await readdir(path.join(runsDir, '.sweeps', sweepId));
    const runList = await readFile(path.join(runsDir, '.sweeps', sweepId, batch, SLURM_FILES.runList), 'utf8');
    assert.deepEqual(runList.trim().split('\n'), [byTask.get(`${jobId}_0`), byTask.get(`${jobId}_1`)]);

    let released = false;
    const waited = await sweep([file, '--runs-dir', runsDir, '--wait'], (line) => {
      // Once the sweep has taken the queued jobs over, let them start.
      if (!released && /2 runs are already queued on Slurm: followed, not submitted again/.test(line)) {
        released = true;
        spawn('scontrol', ['update', `JobId=${jobId}`, 'StartTime=now'], { env: cluster.env, stdio: 'ignore' });
      }
    });
    assert.equal(waited.code, 0, waited.stderr + waited.stdout);
    assert.ok(released, waited.stdout);
    assert.doesNotMatch(waited.stdout, /submitted Slurm job/);
    assert.match(waited.stdout, /^done 1\/2 \(seed=0\)/m);
    assert.match(waited.stdout, /^done 2\/2 \(seed=1\)/m);
    assert.match(waited.stdout, /2 runs: 2 done/);
    for (const [task, runDir] of byTask) {
      const status = await readStatusJson(runDir);
      assert.equal(status.state, 'done');
      assert.deepEqual(status.slurm, { jobId: task, requeues: 0 });
      assert.ok(existsSync(path.join(runDir, `slurm-${task}.log`)), `${runDir} holds its task's log`);
      await readResultsJson(runDir);
    }
    assert.deepEqual(await runDirsOf(runsDir), runDirs, 'no folder was added');
  });

  it("an unknown partition: exit 1 with Slurm's message, and both runs failed with it", async () => {
    const file = await sweepFile('refused', { partition: 'no-such-partition' });
    const runsDir = path.join(root, 'runs-refused');
    const refused = await sweep([file, '--runs-dir', runsDir, '--wait']);
    assert.equal(refused.code, 1, refused.stderr + refused.stdout);
    assert.match(refused.stderr, /Slurm refused the job.*invalid partition name specified/i);
    const runDirs = await runDirsOf(runsDir);
    assert.equal(runDirs.length, 2);
    for (const runDir of runDirs) {
      const status = await readStatusJson(runDir);
      assert.equal(status.state, 'failed');
      assert.match(status.error ?? '', /sbatch: error: .*invalid partition name specified/i);
      assert.equal(status.slurm, undefined, 'no job exists for it');
    }
    assert.match(refused.stdout, /2 runs: 0 done, 2 failed/);
  });
});
