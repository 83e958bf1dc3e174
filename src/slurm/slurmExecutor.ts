/**
 * The Slurm executor as an experiment file names it (`executor: {kind: "slurm", ...}`), and the
 * checks of its values that Slurm itself would only make at submission (or never, for the
 * trainer's own fields): said early, with the field's path, before any job is submitted.
 */

export interface SlurmExecutorSpec {
  kind: 'slurm';
  partition?: string;
  /** Slurm's time format: `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`. */
  time?: string;
  cpusPerTask?: number;
  /** Memory per node, Slurm's format: a number with an optional K, M, G or T suffix (`4G`, `16000`). */
  mem?: string;
  gres?: string;
  account?: string;
  qos?: string;
  /** Further sbatch options, one argument each (`--constraint=v100`). */
  sbatchArgs?: string[];
  /** Shell lines run before the trainer (module loads, conda activate). */
  setup?: string[];
  /** The node executable on the compute nodes; default `node` from the job's PATH (after the set-up lines). */
  nodePath?: string;
  /** Seconds before the time limit at which the trainer is told to checkpoint and requeue itself. */
  signalSeconds?: number;
  /** How many times one run's job may requeue itself before it stops as on a cancel. */
  maxRequeues?: number;
  /** How many tasks of a sweep's job array run at once (`--array=0-N%K`); none: as many as Slurm allows. */
  arrayParallelism?: number;
}

export const DEFAULT_SIGNAL_SECONDS = 60;
export const DEFAULT_MAX_REQUEUES = 3;

export interface SlurmExecutorProblem {
  /** JSON path of the field, from the experiment's root: `executor.time`. */
  path: string;
  message: string;
}

/** `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`, or Slurm's words for no limit. */
const TIME_FORMAT = /^(?:\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+|\d+-\d+:\d{1,2}|\d+-\d+:\d{1,2}:\d{1,2}|infinite|unlimited|UNLIMITED|INFINITE)$/;
const MEM_FORMAT = /^\d+[KMGT]?$/i;

/** The time limit in seconds, for a value that fits TIME_FORMAT; undefined for no limit. */
export function timeLimitSeconds(time: string): number | undefined {
  if (/^(infinite|unlimited)$/i.test(time)) return undefined;
  const [days, rest] = time.includes('-') ? [Number(time.split('-')[0]), time.split('-')[1]] : [0, time];
  const parts = rest.split(':').map(Number);
  if (time.includes('-')) {
    const [hours, minutes = 0, seconds = 0] = parts;
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds;
  }
  if (parts.length === 1) return parts[0] * 60;
  if (parts.length === 2) return parts[0] * 60 + parts[1];
  return (parts[0] * 60 + parts[1]) * 60 + parts[2];
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

/**
 * Every problem with a Slurm executor's values, each with its path under `executor`: formats
 * sbatch would reject (time, mem), numbers out of range, and a signal that would come before the
 * job starts. A `{kind: "local"}` executor, or anything that is not a Slurm one, has none here.
 */
export function slurmExecutorProblems(executor: unknown, at = 'executor'): SlurmExecutorProblem[] {
  if (typeof executor !== 'object' || executor === null || (executor as { kind?: unknown }).kind !== 'slurm') return [];
  const spec = executor as Record<string, unknown>;
  const problems: SlurmExecutorProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ path: `${at}.${field}`, message });
  for (const field of ['partition', 'gres', 'account', 'qos', 'nodePath'] as const) {
    const value = spec[field];
    if (value === undefined) continue;
    if (!isString(value) || value.trim() === '') problem(field, `must be a non-empty string`);
    else if (field !== 'nodePath' && /\s/.test(value)) problem(field, `"${value}" has a space in it, which Slurm does not accept in a ${field}`);
  }
  if (spec.time !== undefined) {
    if (!isString(spec.time) || !TIME_FORMAT.test(spec.time))
      problem(
        'time',
        `${JSON.stringify(spec.time)} is not a Slurm time limit: use MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (e.g. "2:00:00" or "1-12")`,
      );
    else if (timeLimitSeconds(spec.time) === 0) problem('time', 'a time limit of 0 would not let the job run');
  }
  if (spec.mem !== undefined && (!isString(spec.mem) || !MEM_FORMAT.test(spec.mem)))
    problem('mem', `${JSON.stringify(spec.mem)} is not a Slurm memory size: a whole number of megabytes, or with a K, M, G or T suffix (e.g. "4G")`);
  for (const field of ['cpusPerTask', 'arrayParallelism'] as const) {
    if (spec[field] !== undefined && !isPositiveInteger(spec[field])) problem(field, 'must be a whole number of at least 1');
  }
  if (spec.maxRequeues !== undefined && !(typeof spec.maxRequeues === 'number' && Number.isInteger(spec.maxRequeues) && spec.maxRequeues >= 0))
    problem('maxRequeues', 'must be a whole number of at least 0');
  const signalValid = spec.signalSeconds === undefined || (isPositiveInteger(spec.signalSeconds) && (spec.signalSeconds as number) <= 65535);
  if (!signalValid) problem('signalSeconds', "must be a whole number of seconds from 1 to 65535 (Slurm's limit for --signal)");
  else if (isString(spec.time) && TIME_FORMAT.test(spec.time)) {
    const limit = timeLimitSeconds(spec.time);
    const signal = (spec.signalSeconds as number | undefined) ?? DEFAULT_SIGNAL_SECONDS;
    if (limit !== undefined && signal >= limit)
      problem(
        spec.signalSeconds === undefined ? 'time' : 'signalSeconds',
        `the time limit "${spec.time}" (${limit} s) is not longer than the signal before it (${spec.signalSeconds === undefined ? `signalSeconds, default ${signal}` : signal} s): the job would be told to requeue as it starts`,
      );
  }
  for (const field of ['sbatchArgs', 'setup'] as const) {
    const value = spec[field];
    if (value === undefined) continue;
    if (!Array.isArray(value)) {
      problem(field, 'must be a list of strings');
      continue;
    }
    value.forEach((item, index) => {
      if (!isString(item)) problem(`${field}[${index}]`, 'must be a string');
      else if (field === 'sbatchArgs' && !item.startsWith('-'))
        problem(`${field}[${index}]`, `"${item}" is not an sbatch option (one option per item, e.g. "--constraint=v100")`);
      else if (/[\n\r]/.test(item)) problem(`${field}[${index}]`, 'must be one line');
    });
  }
  return problems;
}
