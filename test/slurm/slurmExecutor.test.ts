/**
 * The Slurm executor against a real one-node Slurm (slurmctld, slurmd and munge on 127.0.0.1,
 * started by test/harness/slurmCluster.ts): real sbatch, squeue, scontrol and scancel, and the
 * real trainer bundle training tiny runs in the jobs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { validateExperimentDocument } from '../../src/experiment/validateExperiment';
import { writeJsonAtomic } from '../../src/runFolder/atomicFile';
import { readEvents } from '../../src/runFolder/eventLog';
import { readLatestJson, readResultsJson, readStatusJson } from '../../src/runFolder/readRunFiles';
import { RUN_FILES } from '../../src/runFolder/runFolderFormat';
import { cancelJobs } from '../../src/slurm/cancel';
import { SlurmJobStates, type SlurmJobState } from '../../src/slurm/jobStates';
import { SlurmCommandError, slurmCommandRunner, type SlurmCommandRunner } from '../../src/slurm/slurmCommand';
import type { SlurmExecutorSpec } from '../../src/slurm/slurmExecutor';
import { submitRuns, SlurmSubmitError } from '../../src/slurm/submit';
import { tinyExperiment } from '../fixtures/experiments';
import { createImageTree } from '../fixtures/imageTree';
import { startSlurmCluster, type SlurmCluster } from '../harness/slurmCluster';
import { poll } from '../harness/poll';

const trainerBundle = path.resolve(__dirname, '../../../dist/trainer.js');
const FINAL = new Set<SlurmJobState['kind']>(['completed', 'failed', 'cancelled', 'timeout', 'out-of-memory', 'node-fail', 'preempted']);

describe('the Slurm executor on a real one-node Slurm', () => {
  let cluster: SlurmCluster;
  let root: string;
  let run: SlurmCommandRunner;
  let states: SlurmJobStates;
  let executor: SlurmExecutorSpec;

  before(async () => {
    cluster = await startSlurmCluster({ killWait: 15, log: (line) => console.log(`# ${line}`) });
    run = slurmCommandRunner(cluster.env);
    states = new SlurmJobStates(run);
    // A folder name with a space and a quote: the script must quote every path.
    root = await mkdtemp(path.join(os.tmpdir(), "kd-uda slurm 'test-"));
    await createImageTree(path.join(root, 'data'), { src: { a: 6, b: 6 }, t1: { a: 6, b: 6 } });
    executor = { kind: 'slurm', partition: cluster.partition, time: '10', nodePath: process.execPath };
  });
  after(async () => {
    await cluster?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** A prepared run folder, as `prepare` writes one: the resolved experiment and status `queued`. */
  async function prepareRun(name: string, fields: Record<string, unknown> = {}, folder = name): Promise<string> {
    const checked = validateExperimentDocument(
      tinyExperiment({ name, data: { root: path.join(root, 'data'), source: 'src', targets: ['t1'] }, ...fields }),
      `${name}.kdexp.json`,
    );
    assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.problems));
    const dir = path.join(root, 'runs', folder);
    await mkdir(dir, { recursive: true });
    await writeJsonAtomic(path.join(dir, RUN_FILES.experiment), checked.experiment);
    await writeJsonAtomic(path.join(dir, RUN_FILES.status), { version: 1, state: 'queued' });
    return dir;
  }

  /** Polls the job until its state is final; returns it, with every state seen on the way. */
  async function waitForEnd(jobId: string, timeoutMs: number, onPoll?: (state: SlurmJobState) => void | Promise<void>) {
    const seen: string[] = [];
    const state = await poll(
      `job ${jobId} to end`,
      async () => {
        const current = (await states.query([jobId])).get(jobId)!;
        if (seen.at(-1) !== current.kind) seen.push(current.kind);
        await onPoll?.(current);
        return FINAL.has(current.kind) && current;
      },
      timeoutMs,
      250,
    );
    return { state, seen };
  }

  async function stepsTaken(runDir: string): Promise<number> {
    return (await readEvents(path.join(runDir, RUN_FILES.events))).events.filter((event) => event.kind === 'step').length;
  }

  async function logOf(runDir: string): Promise<string> {
    const logs = (await readdir(runDir)).filter((name) => /^slurm-.*\.log$/.test(name));
    return (await Promise.all(logs.map((name) => readFile(path.join(runDir, name), 'utf8')))).join('\n');
  }

  it('a prepared run reaches done through sbatch, with its job id in status.json and its log in the run folder', async () => {
    const runDir = await prepareRun('plain');
    const submittedAt = Date.now();
    const submission = await submitRuns({ executor, runDirs: [runDir], trainerBundle, run });
    assert.match(submission.jobId, /^\d+$/);
    assert.deepEqual((await readStatusJson(runDir)).slurm, { jobId: submission.jobId, requeues: 0 });
    let runningAfter: number | undefined;
    const { state, seen } = await waitForEnd(submission.jobId, 90_000, (current) => {
      if (current.kind === 'running' && runningAfter === undefined) {
        runningAfter = Date.now() - submittedAt;
        assert.equal(current.node, cluster.node);
      }
    });
    console.log(`# sbatch -> RUNNING seen after ${runningAfter} ms; states seen: ${seen.join(' -> ')}`);
    assert.equal(state.kind, 'completed', JSON.stringify(state));
    const status = await readStatusJson(runDir);
    assert.equal(status.state, 'done', await logOf(runDir));
    assert.deepEqual(status.slurm, { jobId: submission.jobId, requeues: 0 });
    assert.ok(existsSync(path.join(runDir, 'slurm.sbatch')), 'the script that ran is kept');
    assert.ok(existsSync(path.join(runDir, `slurm-${submission.jobId}.log`)), 'the job log is in the run folder');
    assert.match(await logOf(runDir), new RegExp(`kd-uda: job ${submission.jobId} on `));
    await readResultsJson(runDir);
  });

  it('scancel stops the run with a checkpoint (SIGTERM reaches the trainer), and a new job on the folder completes it', async () => {
    const runDir = await prepareRun('cancelled', { epochs: 1, stepsPerEpoch: 100 });
    const first = await submitRuns({ executor, runDirs: [runDir], trainerBundle, run });
    await poll('a first training step', async () => (await stepsTaken(runDir)) > 0, 60_000, 200);
    await cancelJobs([first.jobId], run);
    const { state } = await waitForEnd(first.jobId, 60_000);
    assert.equal(state.kind, 'cancelled', JSON.stringify(state));
    const stopped = await readStatusJson(runDir);
    assert.equal(stopped.state, 'stopped', await logOf(runDir));
    const latest = await readLatestJson(runDir);
    assert.ok(latest.stepInEpoch >= 1 && latest.stepInEpoch < 100, JSON.stringify(latest));

    // Resume: the same folder through a new job, continuing from that checkpoint.
    const second = await submitRuns({ executor, runDirs: [runDir], trainerBundle, run });
    assert.notEqual(second.jobId, first.jobId);
    const resumed = await waitForEnd(second.jobId, 180_000);
    assert.equal(resumed.state.kind, 'completed', JSON.stringify(resumed.state));
    const done = await readStatusJson(runDir);
    assert.equal(done.state, 'done', await logOf(runDir));
    assert.deepEqual(done.slurm, { jobId: second.jobId, requeues: 0 });
    const events = (await readEvents(path.join(runDir, RUN_FILES.events))).events;
    assert.ok(
      events.some((event) => event.kind === 'resume'),
      'the second job resumed the run',
    );
  });

  it('a job near its time limit checkpoints, requeues itself and ends with the numbers of an unbroken run', async () => {
    // About 40 s of steps: Slurm sends --signal's USR2 at its first time-limit check within 50 s + 30 s of
    // the limit, i.e. 0 to 30 s into a 1-minute job, so at least one requeue must happen.
    const fields = { epochs: 2, stepsPerEpoch: 150 };
    const requeuedDir = await prepareRun('requeue', fields, 'requeued');
    const unbrokenDir = await prepareRun('requeue', fields, 'unbroken');
    const requeued = await submitRuns({ executor: { ...executor, time: '1', signalSeconds: 50, maxRequeues: 6 }, runDirs: [requeuedDir], trainerBundle, run });
    const unbroken = await submitRuns({ executor, runDirs: [unbrokenDir], trainerBundle, run });
    let heldSince: number | undefined;
    const { state, seen } = await waitForEnd(requeued.jobId, 240_000, async (current) => {
      // Slurm holds a requeued job back for 120 s (BeginTime); the test does not wait them out, but
      // gives the node 3 s to finish the job's last batch step: started sooner, slurmd refuses the
      // job ("Job credential revoked") and it fails.
      const held = current.kind === 'pending' && current.reason === 'BeginTime';
      heldSince = held ? (heldSince ?? Date.now()) : undefined;
      if (held && Date.now() - heldSince! >= 3000) await run('scontrol', ['update', `JobId=${requeued.jobId}`, 'StartTime=now']);
    });
    console.log(`# requeued job: states seen ${seen.join(' -> ')}`);
    const daemonLogs = async () =>
      (
        await Promise.all(
          ['slurmctld.log', 'slurmd.log'].map(
            async (name) => `--- ${name}\n${(await readFile(path.join(cluster.dir, name), 'utf8').catch(() => '')).split('\n').slice(-25).join('\n')}`,
          ),
        )
      ).join('\n');
    assert.equal(state.kind, 'completed', `${JSON.stringify(state)}\n${await logOf(requeuedDir)}\n${await daemonLogs()}`);
    const status = await readStatusJson(requeuedDir);
    assert.equal(status.state, 'done', await logOf(requeuedDir));
    assert.ok(status.slurm && status.slurm.jobId === requeued.jobId && status.slurm.requeues >= 1, JSON.stringify(status));
    assert.ok(seen.indexOf('running') < seen.lastIndexOf('running'), `the job ran more than once: ${seen.join(' -> ')}`);
    const trainerLog = await readFile(path.join(requeuedDir, RUN_FILES.log), 'utf8');
    assert.equal(trainerLog.match(/Requeueing job/g)?.length, status.slurm.requeues, trainerLog);
    assert.equal((await waitForEnd(unbroken.jobId, 120_000)).state.kind, 'completed');
    const [a, b] = await Promise.all([readResultsJson(unbrokenDir), readResultsJson(requeuedDir)]);
    assert.deepEqual(b.history, a.history);
    assert.deepEqual(b.headline, a.headline);
  });

  it('a job array runs one run folder per task, each with its own log', async () => {
    const dirs = [await prepareRun('array-0'), await prepareRun('array-1')];
    const submission = await submitRuns({
      executor: { ...executor, arrayParallelism: 2 },
      runDirs: dirs,
      trainerBundle,
      batchDir: path.join(root, 'runs', 'sweep'),
      run,
    });
    assert.deepEqual(submission.runJobIds, [`${submission.jobId}_0`, `${submission.jobId}_1`]);
    for (const [index, dir] of dirs.entries()) {
      const { state } = await waitForEnd(submission.runJobIds[index], 120_000);
      assert.equal(state.kind, 'completed', JSON.stringify(state));
      const status = await readStatusJson(dir);
      assert.equal(status.state, 'done', await logOf(dir));
      assert.deepEqual(status.slurm, { jobId: submission.runJobIds[index], requeues: 0 });
      assert.ok(existsSync(path.join(dir, `slurm-${submission.runJobIds[index]}.log`)), `${dir} holds its task's log`);
      assert.ok(existsSync(path.join(dir, 'slurm.sbatch')));
    }
  });

  it("Slurm's own message when it refuses a job; a clear error without sbatch", async () => {
    const runDir = await prepareRun('refused');
    await assert.rejects(
      submitRuns({ executor: { ...executor, partition: 'no-such-partition' }, runDirs: [runDir], trainerBundle, run }),
      (error: Error) => error instanceof SlurmSubmitError && /invalid partition name specified/i.test(error.message),
    );
    assert.equal((await readStatusJson(runDir)).slurm, undefined, 'nothing recorded for a job that does not exist');
    await assert.rejects(
      submitRuns({ executor, runDirs: [runDir], trainerBundle, run: slurmCommandRunner({ ...cluster.env, PATH: '/nonexistent' }) }),
      (error: Error) => error instanceof SlurmCommandError && /sbatch is not on PATH/.test(error.message),
    );
  });

  it('a job killed with SIGKILL is reported cancelled, never running', async () => {
    const runDir = await prepareRun('killed', { epochs: 1, stepsPerEpoch: 100000 });
    const { jobId } = await submitRuns({ executor, runDirs: [runDir], trainerBundle, run });
    await poll('a first training step', async () => (await stepsTaken(runDir)) > 0, 60_000, 200);
    const killed = spawnSync('scancel', ['-s', 'KILL', jobId], { env: cluster.env, encoding: 'utf8' });
    assert.equal(killed.status, 0, killed.stderr);
    const { state, seen } = await waitForEnd(jobId, 60_000);
    assert.ok(['cancelled', 'failed'].includes(state.kind), JSON.stringify(state));
    // It stays so: asked again and again, the job that is gone never reads running.
    for (let i = 0; i < 5; i++) assert.notEqual((await states.query([jobId])).get(jobId)!.kind, 'running');
    assert.equal(seen.at(-1), state.kind);
  });

  it('one batched query whatever the number of jobs', async () => {
    const runDir = await prepareRun('batched');
    const { jobId } = await submitRuns({ executor, runDirs: [runDir], trainerBundle, run });
    const issued: string[][] = [];
    const counting = new SlurmJobStates((command, args) => {
      issued.push([command, ...args]);
      return run(command, args);
    });
    const many = [jobId, ...Array.from({ length: 40 }, (_, index) => `${900000 + index}`), '900100_3'];
    const answer = await counting.query(many);
    assert.equal(answer.size, many.length);
    assert.notEqual(answer.get(jobId)!.kind, 'unknown');
    assert.equal(answer.get('900005')!.kind, 'unknown');
    // squeue once for all, then (no accounting here) sacct once and scontrol once for the ids squeue lacks.
    assert.deepEqual(
      issued.map(([command]) => command),
      ['squeue', 'sacct', 'scontrol'],
    );
    issued.length = 0;
    await counting.query(many);
    assert.deepEqual(
      issued.map(([command]) => command),
      ['squeue', 'scontrol'],
      'sacct is not asked again on a cluster without accounting',
    );
    await waitForEnd(jobId, 60_000);
  });
});
