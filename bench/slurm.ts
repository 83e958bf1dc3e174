/**
 * Runs on a real one-node Slurm (test/harness/slurmCluster.ts; needs root to start it): how long
 * from Start Run's submission to the job RUNNING and to its first epoch shown, for one run and for
 * a sweep submitted as one job array, how soon an epoch is shown after the trainer writes it, and
 * how many Slurm commands the host's poller issues a minute with many jobs queued.
 *
 *   npm run bench:slurm
 *   node out/bench/slurm.js [--sweep 24] [--queued 100] [--minutes 1]
 *
 * Each run is the real trainer on a tiny dataset (wasm), executed by the job the way Start Run
 * submits it (submitRuns), followed by the host's own pieces: the job monitor (one batched query per
 * poll, with backoff) and the epoch follower on the run folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EpochFollower } from '../src/host/runsView/epochFollower';
import type { PreparedRuns } from '../src/runFolder/preparedRuns';
import { SlurmJobMonitor } from '../src/slurm/jobMonitor';
import { isFinalJobKind, SlurmJobStates } from '../src/slurm/jobStates';
import { slurmCommandRunner, type SlurmCommandRunner } from '../src/slurm/slurmCommand';
import { submitRuns } from '../src/slurm/submit';
import { tinyExperiment } from '../test/fixtures/experiments';
import { createImageTree } from '../test/fixtures/imageTree';
import { startSlurmCluster, type SlurmCluster } from '../test/harness/slurmCluster';

const { values } = parseArgs({
  options: {
    sweep: { type: 'string', default: '24' },
    queued: { type: 'string', default: '100' },
    minutes: { type: 'string', default: '1' },
  },
});

const trainer = path.resolve(__dirname, '..', '..', 'dist', 'trainer.js');

interface Timing {
  label: string;
  runs: number;
  toRunning: number;
  toFirstEpoch: number;
  toAllDone: number;
  /** Milliseconds between the trainer writing an epoch event and the follower reading it. */
  lags: number[];
  commands: number;
  polls: number;
}

/** A runner that counts the Slurm commands it runs. */
function countingRunner(env: NodeJS.ProcessEnv): { run: SlurmCommandRunner; count: () => number } {
  const inner = slurmCommandRunner(env);
  let count = 0;
  return {
    run: (command, args) => {
      count++;
      return inner(command, args);
    },
    count: () => count,
  };
}

function prepare(file: string, runsDir: string): PreparedRuns {
  const result = spawnSync(process.execPath, [trainer, 'prepare', file, '--runs-dir', runsDir, '--json', '--new'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`kd-uda prepare failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as PreparedRuns;
}

/** Submits prepared runs as Start Run does and follows them as the host does, timing each step. */
async function timeSubmission(label: string, cluster: SlurmCluster, prepared: PreparedRuns, batchDir: string): Promise<Timing> {
  const runDirs = prepared.runs.map((run) => run.runDir);
  const { run, count } = countingRunner(cluster.env);
  const states = new SlurmJobStates(run);
  let polls = 0;
  const monitor = new SlurmJobMonitor((ids) => {
    polls++;
    return states.query(ids);
  });
  const started = Date.now();
  const submission = await submitRuns({
    executor: { kind: 'slurm', partition: cluster.partition, time: '10', nodePath: process.execPath },
    runDirs,
    trainerBundle: trainer,
    batchDir,
    run,
  });
  const lags: number[] = [];
  let firstEpoch: number | undefined;
  let firstRunning: number | undefined;
  const followers = runDirs.map(
    (dir) =>
      new EpochFollower(
        dir,
        { since: new Date(started) },
        (event) => {
          const now = Date.now();
          firstEpoch ??= now - started;
          lags.push(now - Date.parse(event.t));
        },
        (message) => console.error(message),
      ),
  );
  const ended = new Set<string>();
  await new Promise<void>((resolve) => {
    monitor.onDidChange((changes) => {
      for (const [jobId, state] of changes) {
        if (state.kind === 'running') firstRunning ??= Date.now() - started;
        if (isFinalJobKind(state.kind)) ended.add(jobId);
      }
      if (ended.size === submission.runJobIds.length) resolve();
    });
    for (const jobId of submission.runJobIds) monitor.watch(jobId);
  });
  const toAllDone = Date.now() - started;
  // The last epoch may land after the job's end was polled: give the followers their read delay.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  for (const follower of followers) follower.dispose();
  monitor.dispose();
  return { label, runs: runDirs.length, toRunning: firstRunning ?? NaN, toFirstEpoch: firstEpoch ?? NaN, toAllDone, lags, commands: count(), polls };
}

/** Commands the monitor issues over `minutes` with `jobs` held jobs queued. */
async function pollingLoad(cluster: SlurmCluster, jobs: number, minutes: number): Promise<{ polls: number; commands: number }> {
  const held = spawnSync('sbatch', ['--parsable', '--hold', `--array=0-${jobs - 1}`, `--partition=${cluster.partition}`, '--wrap', 'true'], {
    encoding: 'utf8',
    env: cluster.env,
  });
  const arrayId = held.stdout.trim();
  if (!/^\d+$/.test(arrayId)) throw new Error(`sbatch: ${held.stderr}`);
  const { run, count } = countingRunner(cluster.env);
  const states = new SlurmJobStates(run);
  let polls = 0;
  const monitor = new SlurmJobMonitor((ids) => {
    polls++;
    return states.query(ids);
  });
  for (let task = 0; task < jobs; task++) monitor.watch(`${arrayId}_${task}`);
  await new Promise((resolve) => setTimeout(resolve, minutes * 60_000));
  monitor.dispose();
  spawnSync('scancel', [arrayId], { env: cluster.env });
  return { polls, commands: count() };
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];

async function main(): Promise<void> {
  const sweepSize = Number(values.sweep);
  const queued = Number(values.queued);
  const minutes = Number(values.minutes);
  const cluster = await startSlurmCluster({ killWait: 15 });
  const root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-bench-slurm-'));
  try {
    await createImageTree(path.join(root, 'data'), { src: { a: 6, b: 6 }, t1: { a: 6, b: 6 } });
    const base = tinyExperiment({ name: 'bench-slurm', data: { root: path.join(root, 'data'), source: 'src', targets: ['t1'] }, epochs: 2, stepsPerEpoch: 5 });
    const single = path.join(root, 'single.kdexp.json');
    const sweep = path.join(root, 'sweep.kdexp.json');
    await writeFile(single, JSON.stringify(base));
    await writeFile(sweep, JSON.stringify({ ...base, sweep: { seed: Array.from({ length: sweepSize }, (_, seed) => seed) } }));
    const runsDir = path.join(root, 'runs');
    console.log(`Slurm bench: one node, ${os.cpus().length} CPUs; load ${os.loadavg()[0].toFixed(2)}`);
    const timings = [
      await timeSubmission('1 run', cluster, prepare(single, runsDir), path.join(runsDir, '.sweeps', 'single')),
      await timeSubmission(`sweep of ${sweepSize} (one job array)`, cluster, prepare(sweep, runsDir), path.join(runsDir, '.sweeps', 'sweep')),
    ];
    console.log(
      '\n| submitted | runs | → first job RUNNING (s) | → first epoch shown (s) | → all done (s) | epoch shown after written (ms, median / max, n) | polls | Slurm commands |',
    );
    console.log('|---|--:|--:|--:|--:|--:|--:|--:|');
    for (const t of timings) {
      console.log(
        `| ${t.label} | ${t.runs} | ${seconds(t.toRunning)} | ${seconds(t.toFirstEpoch)} | ${seconds(t.toAllDone)} | ${median(t.lags)} / ${Math.max(...t.lags)} (${t.lags.length}) | ${t.polls} | ${t.commands} |`,
      );
    }
    const load = await pollingLoad(cluster, queued, minutes);
    console.log(
      `\n| jobs queued (held) | minutes | polls | Slurm commands | commands per minute | commands per poll | one squeue per job every 5 s would be |`,
    );
    console.log('|--:|--:|--:|--:|--:|--:|--:|');
    console.log(
      `| ${queued} | ${minutes} | ${load.polls} | ${load.commands} | ${(load.commands / minutes).toFixed(1)} | ${(load.commands / load.polls).toFixed(2)} | ${(queued * 12).toLocaleString('en-US')} per minute |`,
    );
    console.log(`load after: ${os.loadavg()[0].toFixed(2)}`);
  } finally {
    await cluster.stop();
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
