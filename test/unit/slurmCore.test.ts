/**
 * The Slurm executor's pure core: parsing what squeue and scontrol printed on a real one-node
 * Slurm 22.05 (captured into test/fixtures/slurm), the states they map to, the batch script (run
 * by bash, its quoting checked on hostile paths), the executor's checks, and status.json's
 * `slurm` kept through the trainer's writes. The live paths are in test/slurm.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readStatusJson } from '../../src/runFolder/readRunFiles';
import { arraySpec, renderBatchScript, renderRunList, shellQuote, BatchScriptError } from '../../src/slurm/batchScript';
import { expandJobId, jobState, parseSacct, parseScontrolFields, parseScontrolJobs, parseSqueue, SlurmJobStates } from '../../src/slurm/jobStates';
import { slurmJobOfProcess } from '../../src/slurm/slurmEnvironment';
import { slurmExecutorProblems, timeLimitSeconds } from '../../src/slurm/slurmExecutor';
import { parseSbatchOutput } from '../../src/slurm/submit';
import { recordHardExit } from '../../src/trainer/runLoop/hardExit';
import { RunWriter } from '../../src/trainer/runLoop/runWriter';

const captured = (name: string) => readFileSync(path.resolve(__dirname, '../../../test/fixtures/slurm', name), 'utf8');

describe('parsing what Slurm printed', () => {
  it('squeue: plain jobs, array tasks and a pending array range with its throttle', () => {
    const lines = parseSqueue(captured('squeue-array-running.txt'));
    assert.deepEqual(
      lines.map((line) => [line.id, line.state, line.reason, line.node]),
      [
        ['4_[4-5%2]', 'PENDING', 'JobArrayTaskLimit', ''],
        ['5', 'PENDING', 'Resources', ''],
        ['4_2', 'RUNNING', 'None', 'vm'],
        ['4_3', 'RUNNING', 'None', 'vm'],
      ],
    );
    assert.deepEqual(parseSqueue(captured('squeue-array-pending.txt'))[0], { id: '4_[0-5%2]', state: 'PENDING', reason: 'Resources', node: '' });
    assert.equal(parseSqueue(captured('squeue-array-throttled.txt'))[0].reason, 'JobArrayTaskLimit');
    assert.deepEqual(expandJobId('4_[4-5%2]'), ['4_4', '4_5']);
    assert.deepEqual(expandJobId('4_[0-5%2]'), ['4_0', '4_1', '4_2', '4_3', '4_4', '4_5']);
    assert.deepEqual(expandJobId('7_[1,3-4,9]'), ['7_1', '7_3', '7_4', '7_9']);
    assert.deepEqual(expandJobId('12'), ['12']);
    assert.deepEqual(jobState(lines[0], 'squeue'), { kind: 'pending', slurmState: 'PENDING', reason: 'JobArrayTaskLimit', source: 'squeue' });
    assert.deepEqual(jobState(lines[2], 'squeue'), { kind: 'running', slurmState: 'RUNNING', node: 'vm', source: 'squeue' });
  });

  it('squeue -t all: the ended jobs the controller still holds, each in its final state', () => {
    const byId = new Map(parseSqueue(captured('squeue-all-states.txt')).map((line) => [line.id, jobState(line, 'squeue')]));
    assert.equal(byId.get('12')!.kind, 'cancelled');
    assert.equal(byId.get('4_0')!.kind, 'completed');
    assert.deepEqual(byId.get('5'), { kind: 'failed', slurmState: 'FAILED', reason: 'NonZeroExitCode', node: 'vm', source: 'squeue' });
  });

  it('scontrol show job -o: array tasks named <array>_<task>, pending ranges, exit codes, and values with spaces', () => {
    const pending = parseScontrolJobs(captured('scontrol-pending.txt'));
    assert.deepEqual(
      pending.map((line) => [line.id, line.state, line.reason]),
      [
        ['3', 'COMPLETING', 'None'],
        ['4_[0-5%2]', 'PENDING', 'Resources'],
        ['5', 'PENDING', 'Priority'],
        ['6', 'PENDING', 'Priority'],
      ],
    );
    const ended = parseScontrolJobs(captured('scontrol-ended.txt'));
    assert.deepEqual(
      ended.map((line) => line.id),
      ['4_0', '5', '6', '4_1', '4_2', '4_3', '4_4', '4_5', '12', '13'],
      'the last task of an array keeps the array job id as its JobId: it is task 5, not job 4',
    );
    const failed = ended.find((line) => line.id === '5')!;
    assert.deepEqual(jobState(failed, 'scontrol'), {
      kind: 'failed',
      slurmState: 'FAILED',
      reason: 'NonZeroExitCode',
      node: 'vm',
      exitCode: '3:0',
      source: 'scontrol',
    });
    assert.equal(
      jobState(
        ended.find((line) => line.id === '12')!,
        'scontrol',
      ).kind,
      'cancelled',
    );
    const fields = parseScontrolFields(captured('scontrol-path-with-spaces.txt').trim());
    assert.equal(fields.StdOut, '/tmp/sl/j/dir with space/slurm-1.log');
    assert.equal(fields.NodeList, 'vm');
    assert.equal(fields['AllocNode:Sid'], 'localhost:4574');
    assert.equal(fields.JobState, 'RUNNING');
  });

  it("sacct's state words (`CANCELLED by 0`) and absent nodes", () => {
    const lines = parseSacct(
      '12|CANCELLED by 0|0:15|vm\n4_[4-5]|PENDING|0:0|None assigned\n13|TIMEOUT|0:0|vm\n14|OUT_OF_MEMORY|0:125|vm\n15|NODE_FAIL|0:0|vm\n16|PREEMPTED|0:0|vm\n',
    );
    assert.deepEqual(
      lines.map((line) => jobState(line, 'sacct').kind),
      ['cancelled', 'pending', 'timeout', 'out-of-memory', 'node-fail', 'preempted'],
    );
    assert.equal(jobState(lines[0], 'sacct').slurmState, 'CANCELLED');
    assert.equal(jobState(lines[1], 'sacct').node, undefined);
  });

  it('an unknown Slurm word is unknown, never running', () => {
    assert.equal(jobState({ id: '1', state: 'SOMETHING_NEW' }, 'squeue').kind, 'unknown');
    assert.equal(jobState({ id: '1', state: 'REQUEUED' }, 'squeue').kind, 'requeued');
  });

  it('sbatch --parsable: the id, with or without a cluster name', () => {
    assert.equal(parseSbatchOutput('42\n'), '42');
    assert.equal(parseSbatchOutput('42;cluster\n'), '42');
    assert.equal(parseSbatchOutput('sbatch: error: x'), undefined);
  });
});

describe('one query for many jobs, on replayed real outputs', () => {
  it('squeue first, the rest from scontrol when there is no accounting; gone jobs unknown; sacct skipped once known absent', async () => {
    const issued: string[] = [];
    const replies: Record<string, { code: number; stdout: string; stderr: string }> = {
      squeue: { code: 0, stdout: captured('squeue-array-running.txt'), stderr: '' },
      sacct: { code: 1, stdout: '', stderr: 'Slurm accounting storage is disabled\n' },
      scontrol: { code: 0, stdout: captured('scontrol-ended.txt'), stderr: '' },
    };
    const states = new SlurmJobStates((command) => {
      issued.push(command);
      return Promise.resolve(replies[command]);
    });
    const asked = ['4_2', '4_4', '4_0', '5', '6', '99'];
    const answer = await states.query(asked);
    assert.deepEqual(issued, ['squeue', 'sacct', 'scontrol']);
    assert.deepEqual(
      asked.map((id) => [id, answer.get(id)!.kind, answer.get(id)!.source]),
      [
        ['4_2', 'running', 'squeue'],
        ['4_4', 'pending', 'squeue'],
        ['4_0', 'completed', 'scontrol'],
        ['5', 'pending', 'squeue'],
        ['6', 'cancelled', 'scontrol'],
        ['99', 'unknown', 'none'],
      ],
    );
    issued.length = 0;
    await states.query(asked);
    assert.deepEqual(issued, ['squeue', 'scontrol']);
  });

  it('squeue saying "Invalid job id specified" (every job gone) is no failure; another squeue failure is', async () => {
    const gone = new SlurmJobStates((command) =>
      Promise.resolve(
        command === 'squeue'
          ? { code: 1, stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified\n' }
          : command === 'scontrol'
            ? { code: 0, stdout: 'No jobs in the system\n', stderr: '' }
            : { code: 1, stdout: '', stderr: 'Slurm accounting storage is disabled\n' },
      ),
    );
    assert.equal((await gone.query(['7'])).get('7')!.kind, 'unknown');
    const down = new SlurmJobStates(() =>
      Promise.resolve({ code: 1, stdout: '', stderr: 'squeue: error: Unable to contact slurm controller (connect failure)\n' }),
    );
    await assert.rejects(down.query(['7']), /Unable to contact slurm controller/);
  });
});

describe('the batch script', () => {
  const executor = { kind: 'slurm' as const, partition: 'gpu', time: '1-12', cpusPerTask: 4, mem: '16G', gres: 'gpu:1', account: 'lab', qos: 'normal' };

  it("carries the executor's options, a signal before the limit, and execs the trainer on the run folder", () => {
    const script = renderBatchScript({
      executor: { ...executor, sbatchArgs: ['--constraint=v100', '--comment=two words'], setup: ['module load node/20'], signalSeconds: 90, maxRequeues: 2 },
      runDirs: ['/shared/runs/r1'],
      trainerBundle: '/opt/kd-uda/dist/trainer.js',
      jobName: 'kd-uda-r1',
    });
    for (const line of [
      '#SBATCH --job-name=kd-uda-r1',
      '#SBATCH --output=/shared/runs/r1/slurm-%j.log',
      '#SBATCH --open-mode=append',
      '#SBATCH --requeue',
      '#SBATCH --signal=B:USR2@90',
      '#SBATCH --partition=gpu',
      '#SBATCH --time=1-12',
      '#SBATCH --cpus-per-task=4',
      '#SBATCH --mem=16G',
      '#SBATCH --gres=gpu:1',
      '#SBATCH --account=lab',
      '#SBATCH --qos=normal',
      '#SBATCH --constraint=v100',
      '#SBATCH "--comment=two words"',
      'module load node/20',
      `exec node '/opt/kd-uda/dist/trainer.js' train --resume "$run_dir" --slurm-max-requeues 2`,
    ])
      assert.ok(script.split('\n').includes(line), `${line}\nin\n${script}`);
    assert.ok(script.indexOf('module load') < script.indexOf('exec node'), 'set-up lines come before the trainer');
  });

  it('a %, space or quote in a path is escaped for sbatch; a backslash or line break is refused', () => {
    const script = renderBatchScript({ executor, runDirs: ['/runs/a "b" 100%'], trainerBundle: '/t.js', jobName: 'j' });
    assert.ok(script.includes('#SBATCH --output="/runs/a \\"b\\" 100%%/slurm-%j.log"'), script);
    assert.throws(() => renderBatchScript({ executor, runDirs: ['/runs/a\\b'], trainerBundle: '/t.js', jobName: 'j' }), BatchScriptError);
    assert.throws(() => renderRunList(['/runs/a\nb']), /line break/);
    assert.throws(() => renderBatchScript({ executor, runDirs: ['runs/relative'], trainerBundle: '/t.js', jobName: 'j' }), /absolute/);
  });

  it('run by bash, hands the trainer every hostile path intact: a plain job and each task of an array', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "kd-uda script $HOME 'q' `x` "));
    try {
      // A stand-in for node that prints the arguments it was given, one a line.
      const fakeNode = path.join(dir, 'print args');
      await writeFile(fakeNode, '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n');
      chmodSync(fakeNode, 0o755);
      const runDirs = [path.join(dir, 'run "0" $(date)'), path.join(dir, "run '1'")];
      for (const run of runDirs) await mkdir(run);
      const bundle = path.join(dir, 'dist dir', 'trainer.js');
      const plain = renderBatchScript({ executor: { kind: 'slurm', nodePath: fakeNode }, runDirs: [runDirs[0]], trainerBundle: bundle, jobName: 'j' });
      const ran = spawnSync('bash', ['-c', plain], { encoding: 'utf8', env: { ...process.env, SLURM_JOB_ID: '5' } });
      assert.deepEqual(ran.stdout.trim().split('\n').slice(1), [bundle, 'train', '--resume', runDirs[0], '--slurm-max-requeues', '3'], ran.stderr);

      const batchDir = path.join(dir, 'sweep');
      await mkdir(batchDir);
      await writeFile(path.join(batchDir, 'slurm-runs.txt'), renderRunList(runDirs));
      const array = renderBatchScript({
        executor: { kind: 'slurm', nodePath: fakeNode, arrayParallelism: 1 },
        runDirs,
        trainerBundle: bundle,
        jobName: 'j',
        batchDir,
      });
      assert.ok(array.includes('#SBATCH --array=0-1%1'));
      for (const [task, run] of runDirs.entries()) {
        const env = { ...process.env, SLURM_JOB_ID: `${10 + task}`, SLURM_ARRAY_JOB_ID: '9', SLURM_ARRAY_TASK_ID: `${task}` };
        const result = spawnSync('bash', ['-c', array], { encoding: 'utf8', env });
        assert.equal(result.status, 0, result.stderr);
        const log = await readFile(path.join(run, `slurm-9_${task}.log`), 'utf8');
        assert.ok(log.includes(`--resume\n${run}\n`), log);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the array spec and the job id of a process in a job or an array task', () => {
    assert.equal(arraySpec(6, 2), '0-5%2');
    assert.equal(arraySpec(3, undefined), '0-2');
    assert.equal(slurmJobOfProcess({ SLURM_JOB_ID: '12' }), '12');
    assert.equal(slurmJobOfProcess({ SLURM_JOB_ID: '13', SLURM_ARRAY_JOB_ID: '9', SLURM_ARRAY_TASK_ID: '4' }), '9_4');
    assert.equal(slurmJobOfProcess({}), undefined);
    assert.equal(shellQuote("a'b"), `'a'\\''b'`);
  });
});

describe("the executor's checks", () => {
  it("accepts each of Slurm's time formats and memory sizes", () => {
    for (const time of ['30', '30:00', '2:00:00', '1-12', '1-12:30', '1-12:30:15', 'infinite'])
      assert.deepEqual(slurmExecutorProblems({ kind: 'slurm', time, signalSeconds: 10 }), [], time);
    assert.deepEqual(['30', '30:15', '2:00:00', '1-12', '1-12:30', '1-12:30:15'].map(timeLimitSeconds), [1800, 1815, 7200, 129600, 131400, 131415]);
    for (const mem of ['4G', '16000', '512m', '1T']) assert.deepEqual(slurmExecutorProblems({ kind: 'slurm', mem }), [], mem);
  });

  it('names each bad field by its path, all at once', () => {
    const problems = slurmExecutorProblems({
      kind: 'slurm',
      time: '2h',
      mem: '4 GB',
      cpusPerTask: 0,
      partition: 'two words',
      signalSeconds: 1.5,
      maxRequeues: -1,
      sbatchArgs: ['constraint=v100'],
      setup: [3],
    });
    assert.deepEqual(
      problems.map((problem) => problem.path),
      [
        'executor.partition',
        'executor.time',
        'executor.mem',
        'executor.cpusPerTask',
        'executor.maxRequeues',
        'executor.signalSeconds',
        'executor.sbatchArgs[0]',
        'executor.setup[0]',
      ],
    );
    assert.match(problems[1].message, /"2h" is not a Slurm time limit: use MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS/);
  });

  it('a signal no earlier than the time limit is refused; a local executor has nothing to check', () => {
    assert.deepEqual(slurmExecutorProblems({ kind: 'slurm', time: '1', signalSeconds: 60 }), [
      {
        path: 'executor.signalSeconds',
        message: 'the time limit "1" (60 s) is not longer than the signal before it (60 s): the job would be told to requeue as it starts',
      },
    ]);
    assert.equal(slurmExecutorProblems({ kind: 'slurm', time: '1' })[0].path, 'executor.time', 'the default signal (60 s) counts too');
    assert.deepEqual(slurmExecutorProblems({ kind: 'slurm', time: '1', signalSeconds: 50 }), []);
    assert.deepEqual(slurmExecutorProblems({ kind: 'local' }), []);
  });
});

describe("status.json's slurm record through the trainer's writes", () => {
  it('kept by every state change, counted by a requeue, restarted at 0 by a new job, and kept by a hard exit', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-slurm-status-'));
    try {
      const previous = { version: 1, state: 'queued' as const, slurm: { jobId: '41', requeues: 1 } };
      const writer = await RunWriter.open(dir, () => undefined, previous, '41');
      await writer.setState('running');
      assert.deepEqual((await readStatusJson(dir)).slurm, { jobId: '41', requeues: 1 });
      await writer.setRequeued();
      const requeued = await readStatusJson(dir);
      assert.equal(requeued.state, 'queued');
      assert.deepEqual(requeued.slurm, { jobId: '41', requeues: 2 });
      await writer.close();

      const next = await RunWriter.open(dir, () => undefined, requeued, '57');
      await next.setState('running');
      assert.deepEqual((await readStatusJson(dir)).slurm, { jobId: '57', requeues: 0 });
      await next.close();
      recordHardExit(dir, 'SIGTERM');
      assert.deepEqual((await readStatusJson(dir)).slurm, { jobId: '57', requeues: 0 });

      const local = await RunWriter.open(dir, () => undefined, await readStatusJson(dir));
      await local.setState('running');
      assert.deepEqual((await readStatusJson(dir)).slurm, { jobId: '57', requeues: 0 }, 'a resume outside Slurm keeps the record');
      await local.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
