import path from 'node:path';
import type { PrepareRefusal, PreparedRun } from '../../runFolder/preparedRuns';
import type { RunState } from '../../runFolder/runFolderFormat';
import { describePointValues } from '../../experiment/sweep';
import { followRuns, statusesBefore, type RunEnd } from '../executors/followRuns';
import { LocalExecutor } from '../executors/localExecutor';
import type { RunExecutor } from '../executors/runExecutor';
import type { CliIo } from './cliIo';
import { readExperimentFile } from './experimentFile';
import { parseExperimentArgs, prepareRuns, preparedRunsTable } from './prepare';
import { tellLauncher } from './tellLauncher';
import { UsageError } from './usageError';

export const SWEEP_USAGE = `Usage: kd-uda sweep <file.kdexp.json> [--runs-dir DIR] [--executor local] [--parallel K]

Prepares the experiment's runs as kd-uda prepare does (every point to run checked first; runs
already done are reused), then runs every one not done, at most K at once (default 1), each as
kd-uda train --resume <runDir> in a child process, and prints a line as each starts and ends.
The executor is --executor, else the file's executor.kind, else local. SIGTERM or Ctrl-C asks the
running trainers to checkpoint and stop, and starts no more; running the sweep again continues it.

Exit codes: 0 every run done; 1 some run failed, stopped or not started; 2 bad arguments,
experiment or data (nothing created).`;

const EXECUTOR_KINDS = ['local', 'slurm'] as const;

/** The executor by name; the Slurm one is not part of this build yet. */
function createExecutor(kind: string, parallel: number): RunExecutor {
  if (kind === 'local') return new LocalExecutor({ parallel, trainer: process.argv[1], nodePath: process.execPath });
  if (kind === 'slurm') throw new UsageError('kd-uda sweep: the slurm executor is not available in this build; use --executor local');
  throw new UsageError(`kd-uda sweep: unknown executor "${kind}"; give one of ${EXECUTOR_KINDS.join(', ')}`);
}

function parallelOf(text: string | undefined): number {
  if (text === undefined) return 1;
  const parallel = Number(text);
  if (!Number.isInteger(parallel) || parallel < 1) throw new UsageError(`kd-uda sweep: --parallel must be a whole number of 1 or more, not "${text}"`);
  return parallel;
}

function duration(exactSeconds: number): string {
  const seconds = Math.round(exactSeconds);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** Runs every not-done point of a sweep file and says how each ended; the command and tests share it. */
export async function runSweep(
  request: { file: string; runsDir: string; executor?: string; parallel: number },
  io: CliIo,
): Promise<{ sweepId: string | null; runs: PreparedRun[]; ends: Map<string, RunEnd> }> {
  const read = await readExperimentFile(request.file);
  // Chosen before any folder is made, so that an executor this build lacks creates nothing.
  const executor = createExecutor(request.executor ?? read.executor?.kind ?? 'local', request.parallel);
  const prepared = await prepareRuns(read, request.runsDir);
  tellLauncher(prepared);
  for (const line of preparedRunsTable(prepared)) io.out(line);
  const byDir = new Map(prepared.runs.map((run) => [run.runDir, run]));
  const label = (runDir: string) => {
    const run = byDir.get(runDir)!;
    const values = describePointValues(run.point);
    return `${run.index + 1}/${prepared.count}${values ? ` (${values})` : ''}`;
  };
  // Done runs are kept as they are; running ones (a trainer elsewhere has them) are only followed.
  const followed = prepared.runs.filter((run) => run.state !== 'done').map((run) => run.runDir);
  const toRun = prepared.runs.filter((run) => run.state !== 'done' && run.state !== 'running').map((run) => run.runDir);
  const onSignal = (signal: NodeJS.Signals) => {
    io.err(`kd-uda sweep: ${signal}: stopping the running trainers (they checkpoint first); no more runs start`);
    executor.stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const before = await statusesBefore(followed);
    await executor.submit(toRun);
    const ends = await followRuns(followed, executor, before, {
      onStart: (runDir) => io.out(`started ${label(runDir)}: ${path.basename(runDir)}`),
      onEnd: (runDir, end) => {
        const took = end.seconds === undefined ? '' : ` in ${duration(end.seconds)}`;
        io.out(`${end.started ? end.state : 'not started'} ${label(runDir)}${took}${end.reason && end.state !== 'done' ? `: ${end.reason}` : ''}`);
      },
    });
    return { sweepId: prepared.sweepId, runs: prepared.runs, ends };
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
      { 'runs-dir': { type: 'string' }, executor: { type: 'string' }, parallel: { type: 'string' } },
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
    };
    const { sweepId, runs, ends } = await runSweep(request, io);
    io.out(summary(sweepId, runs, ends));
    return runs.every((run) => run.state === 'done' || ends.get(run.runDir)?.state === 'done') ? 0 : 1;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(error.message);
    tellLauncher({ kind: 'prepare-refused', reason: error.message } satisfies PrepareRefusal);
    return 2;
  }
}
