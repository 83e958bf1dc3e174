import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Experiment } from '../../experiment/experiment';
import { describePointValues, type SweepExpansion } from '../../experiment/sweep';
import type { PointProblem } from '../../experiment/sweepProblems';
import { fieldSegments, formatExperimentProblem, pointProblemsInText } from '../../experiment/validateExperiment';
import { writeJsonAtomic } from '../../runFolder/atomicFile';
import { RunFileError } from '../../runFolder/jsonShape';
import { listRuns } from '../../runFolder/listRuns';
import type { PrepareRefusal, PreparedRun, PreparedRuns } from '../../runFolder/preparedRuns';
import { readExperimentJson, readSweepJson } from '../../runFolder/readRunFiles';
import { RUN_FILES, RUN_FORMAT_VERSION, type RunState } from '../../runFolder/runFolderFormat';
import { createRunFolder } from '../../runFolder/runId';
import type { RunStatus } from '../../runFolder/runStatus';
import type { SweepMembership } from '../../runFolder/sweepMembership';
import { canonicalJson } from '../../util/canonicalJson';
import type { CliIo } from './cliIo';
import { readExperimentFile, type ExperimentFile, type ResolvedPoint } from './experimentFile';
import { preflight, PreflightError } from './preflight';
import { tellLauncher } from './tellLauncher';
import { UsageError } from './usageError';

export const PREPARE_USAGE = `Usage: kd-uda prepare <file.kdexp.json> [--runs-dir DIR] [--new] [--json]

Makes a run folder for every point of the experiment's sweep (one for a file without a sweep),
ready for kd-uda train --resume <runDir>. A point whose experiment, resolved, is that of a run
folder already in runs-dir (default ./runs) reuses that folder: a done run as it is, a queued,
stopped or failed one to be continued. Neither name nor executor counts in that comparison (a
name is a label; where a run executes changes no result). --new reuses nothing: every point gets
a new folder (Start Run on a file without a sweep: pressing it again starts another run).
Every point to run is checked first as train checks a run:
every problem at once, exit 2 and nothing created. --json prints one JSON document (and a launcher
with an IPC channel is told it): {"kind": "runs-prepared", "sweepId", "count", "runs": [{"index",
"point", "runDir", "state", "reused"}]}.

Exit codes: 0 prepared; 2 bad arguments, experiment or data.`;

/** Which of several folders with a point's experiment a point takes: the furthest along, then the newest. */
const REUSE_ORDER: readonly RunState[] = ['done', 'running', 'stopped', 'failed', 'queued'];

/**
 * What makes two runs the same: the resolved experiment, in canonical JSON. Neither its name (a
 * label: Compare Runs groups runs without it too), where it executes, nor which checkpoints it
 * keeps counts (a run folder from before `checkpoints` existed records none, and is the same run).
 */
export function sameRunKey(experiment: unknown): string {
  const { executor: _executor, name: _name, checkpoints: _checkpoints, ...settings } = experiment as Record<string, unknown>;
  return canonicalJson(settings);
}

/**
 * The points that will run checked as `train` checks a run before it starts (the data, the
 * images, warm starts, the backend), each problem placed in the file once (on the sweep value
 * that causes it where that can be told). Points that name the same data, backend and warm starts
 * are checked once.
 */
async function preflightPoints(read: ExperimentFile, toCheck: ReadonlySet<number>): Promise<void> {
  const checkedBy = new Map<string, PointProblem[]>();
  const perPoint: PointProblem[][] = [];
  for (const { index, experiment } of read.points) {
    if (!toCheck.has(index)) {
      perPoint.push([]);
      continue;
    }
    const { root, layout, source, targets, split } = experiment.data;
    const key = canonicalJson([root, layout, source, targets, split, experiment.backend, experiment.teacher.warmStart, experiment.student.warmStart]);
    let problems = checkedBy.get(key);
    if (!problems) {
      problems = await preflight({ experiment, checkWarmStarts: true }).then(
        () => [],
        (error: unknown) => {
          if (!(error instanceof PreflightError)) throw error;
          return error.problems.map((problem) => ({ kind: problem.kind, segments: fieldSegments(problem.path), message: problem.message }));
        },
      );
      checkedBy.set(key, problems);
    }
    perPoint.push(problems);
  }
  if (perPoint.every((problems) => problems.length === 0)) return;
  const expansion: SweepExpansion = {
    axes: read.sweep?.axes ?? [],
    points: read.points.map((point) => ({ index: point.index, values: point.values, document: point.experiment })),
  };
  throw new UsageError(
    pointProblemsInText(read.text, expansion, perPoint)
      .map((problem) => formatExperimentProblem(read.file, problem))
      .join('\n'),
  );
}

export interface ExistingRun {
  dir: string;
  state: RunState;
}

/** The run folders under `runsDir` by the key of their experiment, furthest along first; unreadable ones are left alone. */
async function existingRuns(runsDir: string): Promise<Map<string, ExistingRun[]>> {
  const byExperiment = new Map<string, ExistingRun[]>();
  for (const run of await listRuns(runsDir)) {
    if (!run.state) continue;
    const experiment = await readExperimentJson(run.dir).catch((error: unknown) => {
      if (error instanceof RunFileError) return undefined;
      throw error;
    });
    if (!experiment) continue;
    const key = sameRunKey(experiment);
    byExperiment.set(key, [...(byExperiment.get(key) ?? []), { dir: run.dir, state: run.state }]);
  }
  // listRuns gives the newest first; a stable sort keeps that order within a state.
  for (const runs of byExperiment.values()) runs.sort((a, b) => REUSE_ORDER.indexOf(a.state) - REUSE_ORDER.indexOf(b.state));
  return byExperiment;
}

function membershipOf(read: ExperimentFile, point: ResolvedPoint): SweepMembership | undefined {
  return read.sweep && { version: RUN_FORMAT_VERSION, sweepId: read.sweep.id, index: point.index, count: read.points.length, point: point.values };
}

/** A new prepared run folder: experiment.json and sweep.json, then status.json saying queued, which makes it a run. */
async function createPreparedRun(runsDir: string, experiment: Experiment, membership: SweepMembership | undefined): Promise<string> {
  const { dir } = await createRunFolder(runsDir, experiment.name);
  await writeJsonAtomic(path.join(dir, RUN_FILES.experiment), experiment);
  if (membership) await writeJsonAtomic(path.join(dir, RUN_FILES.sweep), membership);
  const status: RunStatus = { version: RUN_FORMAT_VERSION, state: 'queued' };
  await writeJsonAtomic(path.join(dir, RUN_FILES.status), status);
  return dir;
}

/**
 * A reused run joins the sweep when it belongs to none yet (a run of the same experiment trained
 * alone, or prepared by a build before sweeps). One that belongs to another sweep stays there, and
 * one being trained is not written into (its trainer is the folder's one writer).
 */
async function joinSweep(dir: string, state: RunState, membership: SweepMembership | undefined): Promise<void> {
  if (!membership || state === 'running') return;
  const belongs = await readSweepJson(dir).then(
    () => true,
    (error: unknown) => !(error instanceof RunFileError && error.problem === 'missing'),
  );
  if (!belongs) await writeJsonAtomic(path.join(dir, RUN_FILES.sweep), membership);
}

/**
 * For each point of an experiment file, in order, the run folder in `runsDir` that has its
 * experiment (the furthest along), or undefined; nothing is created or written. A folder serves
 * one point: two points that resolve alike (values that only spell out defaults) get a folder each.
 */
export async function matchingRuns(read: ExperimentFile, runsDir: string): Promise<(ExistingRun | undefined)[]> {
  const existing = await existingRuns(runsDir);
  const claimed = new Set<string>();
  return read.points.map((point) => {
    const match = existing.get(sameRunKey(point.experiment))?.find((run) => !claimed.has(run.dir));
    if (match) claimed.add(match.dir);
    return match;
  });
}

/**
 * Gives each point of an experiment file (read by readExperimentFile) a run folder in `runsDir`:
 * an existing one with the same resolved experiment (unless `reuse` is false), or a new prepared one. Every point that is
 * to run (all but those with a done run) is checked first as `train` checks a run: a UsageError
 * names every problem, and nothing is created or written.
 */
export async function prepareRuns(read: ExperimentFile, runsDir: string, options: { reuse: boolean } = { reuse: true }): Promise<PreparedRuns> {
  const matches = options.reuse ? await matchingRuns(read, runsDir) : read.points.map(() => undefined);
  await preflightPoints(read, new Set(read.points.filter((_, at) => matches[at]?.state !== 'done').map((point) => point.index)));
  const runs: PreparedRun[] = [];
  for (const [at, point] of read.points.entries()) {
    const membership = membershipOf(read, point);
    const match = matches[at];
    let run: { dir: string; state: RunState; reused: boolean };
    if (match) {
      await joinSweep(match.dir, match.state, membership);
      run = { ...match, reused: true };
    } else {
      run = { dir: await createPreparedRun(runsDir, point.experiment, membership), state: 'queued', reused: false };
    }
    runs.push({ index: point.index, point: point.values, runDir: path.resolve(run.dir), state: run.state, reused: run.reused });
  }
  return { kind: 'runs-prepared', sweepId: read.sweep?.id ?? null, count: runs.length, runs };
}

/** The prepared runs as a table for people: one line per point. */
export function preparedRunsTable(prepared: PreparedRuns): string[] {
  const rows = prepared.runs.map((run) => [String(run.index + 1), describePointValues(run.point) || '-', run.state, run.reused ? 'reused' : 'new', run.runDir]);
  const header = ['#', 'point', 'state', 'folder', 'run folder'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  const reused = prepared.runs.filter((run) => run.reused).length;
  return [
    `${prepared.sweepId ? `sweep ${prepared.sweepId}: ` : ''}${prepared.count} ${prepared.count === 1 ? 'run' : 'runs'}, ${prepared.count - reused} new, ${reused} reused`,
    line(header),
    ...rows.map(line),
  ];
}

/** Options shared by prepare and sweep, parsed into a UsageError that says what is wrong. */
export function parseExperimentArgs(
  args: readonly string[],
  options: Record<string, { type: 'string' | 'boolean' }>,
  usage: string,
  command: string,
): { file: string; values: Record<string, string | boolean | undefined> } | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: { ...options, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    throw new UsageError(`kd-uda ${command}: ${(error as Error).message}\n\n${usage}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return 'help';
  if (parsed.positionals.length !== 1) throw new UsageError(`kd-uda ${command}: give one experiment file\n\n${usage}`);
  return { file: parsed.positionals[0], values };
}

export async function prepareCommand(args: readonly string[], io: CliIo): Promise<number> {
  try {
    const parsed = parseExperimentArgs(args, { 'runs-dir': { type: 'string' }, new: { type: 'boolean' }, json: { type: 'boolean' } }, PREPARE_USAGE, 'prepare');
    if (parsed === 'help') {
      io.out(PREPARE_USAGE);
      return 0;
    }
    const read = await readExperimentFile(parsed.file);
    const runsDir = typeof parsed.values['runs-dir'] === 'string' ? parsed.values['runs-dir'] : 'runs';
    const prepared = await prepareRuns(read, runsDir, { reuse: parsed.values.new !== true });
    tellLauncher(prepared);
    if (parsed.values.json) io.out(JSON.stringify(prepared));
    else for (const line of preparedRunsTable(prepared)) io.out(line);
    return 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(error.message);
    tellLauncher({ kind: 'prepare-refused', reason: error.message } satisfies PrepareRefusal);
    return 2;
  }
}
