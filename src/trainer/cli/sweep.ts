import path from 'node:path';
import type { PrepareRefusal, PreparedRun } from '../../runFolder/preparedRuns';
import type { RunState } from '../../runFolder/runFolderFormat';
import { describePointValues } from '../../experiment/sweep';
import type { SlurmExecutorSpec } from '../../slurm/slurmExecutor';
import { followRuns, statusesBefore, type FollowHandlers, type RunEnd } from '../executors/followRuns';
import { LocalExecutor } from '../executors/localExecutor';
import type { RunExecutor } from '../executors/runExecutor';
import { SlurmRunExecutor, type SlurmHandOver } from '../executors/slurmRunExecutor';
import type { CliIo } from './cliIo';
import { readExperimentFile, type ExperimentFile } from './experimentFile';
import { parseExperimentArgs, prepareRuns, preparedRunsTable } from './prepare';
import { tellLauncher } from './tellLauncher';
import { UsageError } from './usageError';

export const SWEEP_USAGE = `Usage: kd-uda sweep <file.kdexp.json> [--runs-dir DIR] [--executor local|slurm] [--parallel K] [--wait]

Prepares the experiment's runs as kd-uda prepare does (every point to run checked first; runs
already done are reused), then runs every one not done, each as kd-uda train --resume <runDir>.
The executor is --executor, else the file's executor.kind, else local.

local: child processes of this machine, at most K at once (default 1), a line as each starts and
ends. SIGTERM or Ctrl-C asks the running trainers to checkpoint and stop, and starts no more;
running the sweep again continues it.

slurm: one sbatch (a job array for several runs, at most K tasks at once where --parallel is
given, else the file's executor.arrayParallelism), with the file's executor settings (partition,
time, setup, nodePath, ...); the job's trainer is this bundle. Prints the job id and each run's
folder and returns; with --wait it follows the jobs until every run has ended (one batched Slurm
query per poll), and Ctrl-C cancels them (each trainer checkpoints first). A run whose earlier
job is still pending or running is followed, not submitted twice. A submission Slurm refuses
marks its runs failed with Slurm's message.

Exit codes: 0 every run done (slurm without --wait: submitted); 1 some run failed, stopped or not
started, or Slurm refused the job; 2 bad arguments, experiment or data (nothing created).`;

const EXECUTOR_KINDS = ['local', 'slurm'] as const;
type ExecutorKind = (typeof EXECUTOR_KINDS)[number];

export interface SweepRequest {
  file: string;
  runsDir: string;
  executor?: string;
  /** Runs at once: local trainers, or a Slurm array's tasks (its arrayParallelism). */
  parallel?: number;
  /** Slurm: follow the jobs until every run ends, rather than return once submitted. */
  wait: boolean;
}

export interface SweepOutcome {
  sweepId: string | null;
  runs: PreparedRun[];
  ends: Map<string, RunEnd>;
  /** Slurm: what was submitted (or refused); absent for local runs. */
  slurm?: SlurmHandOver;
}

function executorKind(kind: string): ExecutorKind {
  if ((EXECUTOR_KINDS as readonly string[]).includes(kind)) return kind as ExecutorKind;
  throw new UsageError(`kd-uda sweep: unknown executor "${kind}"; give one of ${EXECUTOR_KINDS.join(', ')}`);
}

/** The file's Slurm settings (or Slurm's defaults when the file names none), --parallel taking the place of arrayParallelism. */
function slurmSpec(read: ExperimentFile, parallel: number | undefined): SlurmExecutorSpec {
  const spec: SlurmExecutorSpec = read.executor?.kind === 'slurm' ? { ...read.executor } : { kind: 'slurm' };
  return parallel === undefined ? spec : { ...spec, arrayParallelism: parallel };
}

function parallelOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const parallel = Number(text);
  if (!Number.isInteger(parallel) || parallel < 1) throw new UsageError(`kd-uda sweep: --parallel must be a whole number of 1 or more, not "${text}"`);
  return parallel;
}

function duration(exactSeconds: number): string {
  const seconds = Math.round(exactSeconds);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** What was handed to Slurm, for people: the job and each run's task and folder. */
function handOverLines(handOver: SlurmHandOver, runs: readonly PreparedRun[], label: (runDir: string) => string): string[] {
  const mine = runs.filter((run) => handOver.runJobIds.has(run.runDir));
  const submitted = mine.filter((run) => !handOver.adopted.has(run.runDir));
  const lines: string[] = [];
  if (handOver.jobId)
    lines.push(
      `submitted Slurm job ${handOver.jobId}${submitted.length > 1 ? ` (a job array of ${submitted.length} tasks)` : ''} for ${submitted.length} ${submitted.length === 1 ? 'run' : 'runs'}`,
    );
  if (handOver.adopted.size)
    lines.push(`${handOver.adopted.size} ${handOver.adopted.size === 1 ? 'run is' : 'runs are'} already queued on Slurm: followed, not submitted again`);
  const width = Math.max(0, ...mine.map((run) => handOver.runJobIds.get(run.runDir)!.length));
  for (const run of mine) lines.push(`  ${handOver.runJobIds.get(run.runDir)!.padEnd(width)}  ${label(run.runDir)}  ${run.runDir}`);
  return lines;
}

/** Runs every not-done point of a sweep file and says how each ended; the command and tests share it. */
export async function runSweep(request: SweepRequest, io: CliIo): Promise<SweepOutcome> {
  const read = await readExperimentFile(request.file);
  // Chosen before any folder is made, so that an unknown executor creates nothing.
  const kind = executorKind(request.executor ?? read.executor?.kind ?? 'local');
  const prepared = await prepareRuns(read, request.runsDir);
  tellLauncher(prepared);
  for (const line of preparedRunsTable(prepared)) io.out(line);
  const byDir = new Map(prepared.runs.map((run) => [run.runDir, run]));
  const label = (runDir: string) => {
    const run = byDir.get(runDir)!;
    const values = describePointValues(run.point);
    return `${run.index + 1}/${prepared.count}${values ? ` (${values})` : ''}`;
  };
  const handlers: FollowHandlers = {
    onStart: (runDir) => io.out(`started ${label(runDir)}: ${path.basename(runDir)}`),
    onEnd: (runDir, end) => {
      const took = end.seconds === undefined ? '' : ` in ${duration(end.seconds)}`;
      const resume = end.started && end.state === 'failed' ? `. Resume it with kd-uda train --resume ${runDir}` : '';
      io.out(`${end.started ? end.state : 'not started'} ${label(runDir)}${took}${end.reason && end.state !== 'done' ? `: ${end.reason}` : ''}${resume}`);
    },
  };
  // Done runs are kept as they are; running ones (a trainer elsewhere has them) are only followed.
  const followed = prepared.runs.filter((run) => run.state !== 'done').map((run) => run.runDir);
  const toRun = prepared.runs.filter((run) => run.state !== 'done' && run.state !== 'running').map((run) => run.runDir);
  const outcome = { sweepId: prepared.sweepId, runs: prepared.runs };
  const before = await statusesBefore(followed);

  let executor: RunExecutor;
  let slurm: SlurmHandOver | undefined;
  if (kind === 'slurm') {
    const slurmExecutor = new SlurmRunExecutor({
      executor: slurmSpec(read, request.parallel),
      trainerBundle: path.resolve(process.argv[1]),
      sweepDir: path.join(path.resolve(request.runsDir), '.sweeps', prepared.sweepId ?? 'runs'),
      jobName: `kd-uda-${prepared.sweepId ?? read.points[0].experiment.name}`,
    });
    slurm = await slurmExecutor.handOver(toRun);
    for (const line of handOverLines(slurm, prepared.runs, label)) io.out(line);
    if (slurm.rejected) {
      io.err(`kd-uda sweep: Slurm refused the job, so nothing was submitted: ${slurm.rejected}`);
      // Their folders now say failed, with Slurm's message: one look tells each end.
      const refused = toRun.filter((runDir) => !slurm!.runJobIds.has(runDir));
      return { ...outcome, ends: await followRuns(refused, slurmExecutor, before, handlers), slurm };
    }
    if (!request.wait) return { ...outcome, ends: new Map(), slurm };
    executor = slurmExecutor;
  } else {
    executor = new LocalExecutor({ parallel: request.parallel ?? 1, trainer: process.argv[1], nodePath: process.execPath });
  }
  const onSignal = (signal: NodeJS.Signals) => {
    io.err(
      `kd-uda sweep: ${signal}: stopping the running trainers (they checkpoint first)${kind === 'slurm' ? ' by cancelling their Slurm jobs' : '; no more runs start'}`,
    );
    executor.stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    if (kind === 'local') await executor.submit(toRun);
    return { ...outcome, ends: await followRuns(followed, executor, before, handlers), ...(slurm ? { slurm } : {}) };
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

/** `6 runs: 4 done (2 reused), 1 failed, 1 stopped`. */
function summary(sweepId: string | null, runs: readonly PreparedRun[], ends: ReadonlyMap<string, RunEnd>): string {
  const counts = new Map<string, number>();
  for (const run of runs) {
    const end = ends.get(run.runDir);
    const state: RunState | 'not started' = end ? (end.started ? end.state : 'not started') : run.state;
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  const reused = runs.filter((run) => run.state === 'done').length;
  const done = `${counts.get('done') ?? 0} done${reused ? ` (${reused} already before)` : ''}`;
  const others = (['failed', 'stopped', 'not started', 'queued', 'running'] as const).flatMap((state) =>
    counts.get(state) ? [`${counts.get(state)} ${state}`] : [],
  );
  return `${sweepId ? `sweep ${sweepId}: ` : ''}${runs.length} ${runs.length === 1 ? 'run' : 'runs'}: ${[done, ...others].join(', ')}`;
}

export async function sweepCommand(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const parsed = parseExperimentArgs(
      args,
      { 'runs-dir': { type: 'string' }, executor: { type: 'string' }, parallel: { type: 'string' }, wait: { type: 'boolean' } },
      SWEEP_USAGE,
      'sweep',
    );
    if (parsed === 'help') {
      io.out(SWEEP_USAGE);
      return 0;
    }
    const { values } = parsed;
    const request = {
      file: parsed.file,
      runsDir: typeof values['runs-dir'] === 'string' ? values['runs-dir'] : 'runs',
      executor: typeof values.executor === 'string' ? values.executor : undefined,
      parallel: parallelOf(typeof values.parallel === 'string' ? values.parallel : undefined),
      wait: values.wait === true,
    };
    const { sweepId, runs, ends, slurm } = await runSweep(request, io);
    io.out(summary(sweepId, runs, ends));
    if (slurm?.rejected) return 1;
    if (slurm && !request.wait) return 0;
    return runs.every((run) => run.state === 'done' || ends.get(run.runDir)?.state === 'done') ? 0 : 1;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(error.message);
    tellLauncher({ kind: 'prepare-refused', reason: error.message } satisfies PrepareRefusal);
    return 2;
  }
}
