/**
 * The batch script of a Slurm job that executes prepared run folders: one folder, or a job array
 * over several (task i runs the i-th line of a list file written beside the script). Every job
 * runs `node <trainer bundle> train --resume <runDir>` with `exec`, so the trainer is the batch
 * step's process and itself receives Slurm's signals: USR2 before the time limit (it checkpoints
 * and requeues its job) and TERM on scancel or preemption (it checkpoints and stops).
 */
import { DEFAULT_MAX_REQUEUES, DEFAULT_SIGNAL_SECONDS, type SlurmExecutorSpec } from './slurmExecutor';

/**
 * Beside the run files: the script that ran, the executor it was submitted with (what Resume Run
 * submits again), and (for an array, in the batch folder) the list of its run folders.
 */
export const SLURM_FILES = { script: 'slurm.sbatch', executor: 'slurm-executor.json', runList: 'slurm-runs.txt' } as const;

/** The trainer's option that tells it how often its job may requeue itself. */
export const MAX_REQUEUES_OPTION = '--slurm-max-requeues';

export interface BatchScriptInput {
  executor: SlurmExecutorSpec;
  /** Absolute run folders as the compute nodes see them: one for a plain job, more for a job array. */
  runDirs: readonly string[];
  /** The trainer bundle (dist/trainer.js), absolute, as the nodes see it. */
  trainerBundle: string;
  jobName: string;
  /** Job arrays: the folder of the script and the run list (a sweep's folder), where Slurm's log of a task starts. */
  batchDir?: string;
}

export class BatchScriptError extends Error {}

/** A word for the shell, single-quoted: nothing in it is expanded. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A value on an `#SBATCH` line: sbatch splits those lines at spaces outside double quotes and
 * takes `\"` as a quote, so a value with a space or quote is double-quoted.
 */
function sbatchWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `"${value.replace(/"/g, '\\"')}"`;
}

/** A path in an #SBATCH --output pattern: `%` would start one of Slurm's replacements. */
function outputPattern(dir: string, fileName: string): string {
  return sbatchWord(`${dir.replace(/%/g, '%%')}/${fileName}`);
}

/** Paths the script and the list file can carry safely: a backslash means something to sbatch, a line break to the list. */
function checkPath(what: string, value: string): void {
  if (/[\n\r\\]/.test(value))
    throw new BatchScriptError(
      `${what} ${JSON.stringify(value)} has a line break or backslash in it, which a Slurm batch script cannot carry safely; rename the folder`,
    );
  if (!value.startsWith('/')) throw new BatchScriptError(`${what} "${value}" must be an absolute path (the job runs elsewhere)`);
}

/** The list file of a job array: task i (from 0) runs line i + 1. */
export function renderRunList(runDirs: readonly string[]): string {
  for (const dir of runDirs) checkPath('the run folder', dir);
  return runDirs.map((dir) => `${dir}\n`).join('');
}

/** `--array=0-5%2`: one task per run folder, at most `arrayParallelism` at once. */
export function arraySpec(count: number, parallelism: number | undefined): string {
  return `0-${count - 1}${parallelism ? `%${parallelism}` : ''}`;
}

/** The #SBATCH options the executor asks for, in sbatch's own spelling. */
function resourceOptions(executor: SlurmExecutorSpec): string[] {
  const options: [string, string | number | undefined][] = [
    ['--partition', executor.partition],
    ['--time', executor.time],
    ['--cpus-per-task', executor.cpusPerTask],
    ['--mem', executor.mem],
    ['--gres', executor.gres],
    ['--account', executor.account],
    ['--qos', executor.qos],
  ];
  return options.flatMap(([option, value]) => (value === undefined ? [] : [`${option}=${sbatchWord(String(value))}`]));
}

/**
 * The whole script. A plain job logs to `<runDir>/slurm-<job id>.log`; an array task starts its log
 * in the batch folder (Slurm opens it before the script runs) and moves on, once its line of the
 * list is read, to `<runDir>/slurm-<array id>_<task>.log`, so each run folder holds its own log.
 */
export function renderBatchScript(input: BatchScriptInput): string {
  const { executor, runDirs, trainerBundle } = input;
  if (runDirs.length === 0) throw new BatchScriptError('a Slurm job needs at least one run folder');
  for (const dir of runDirs) checkPath('the run folder', dir);
  checkPath('the trainer bundle', trainerBundle);
  const array = runDirs.length > 1;
  if (array && !input.batchDir) throw new BatchScriptError('a job array needs a folder for its script and run list (batchDir)');
  if (array) checkPath('the batch folder', input.batchDir!);
  const signalSeconds = executor.signalSeconds ?? DEFAULT_SIGNAL_SECONDS;
  const maxRequeues = executor.maxRequeues ?? DEFAULT_MAX_REQUEUES;
  const options = [
    `--job-name=${sbatchWord(input.jobName)}`,
    ...(array
      ? [`--array=${arraySpec(runDirs.length, executor.arrayParallelism)}`, `--output=${outputPattern(input.batchDir!, 'slurm-%A_%a.log')}`]
      : [`--output=${outputPattern(runDirs[0], 'slurm-%j.log')}`]),
    '--open-mode=append',
    '--requeue',
    `--signal=B:USR2@${signalSeconds}`,
    `--chdir=${sbatchWord(array ? input.batchDir! : runDirs[0])}`,
    ...resourceOptions(executor),
    ...(executor.sbatchArgs ?? []).map(sbatchWord),
  ];
  const locate = array
    ? [
        `run_dir=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" ${shellQuote(`${input.batchDir!}/${SLURM_FILES.runList}`)})`,
        'if [ -z "$run_dir" ]; then echo "kd-uda: no run folder for array task $SLURM_ARRAY_TASK_ID in the run list" >&2; exit 2; fi',
        'echo "kd-uda: array task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} runs $run_dir; its log is in that folder"',
        'exec >>"$run_dir/slurm-${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}.log" 2>&1',
      ]
    : [`run_dir=${shellQuote(runDirs[0])}`];
  const node = executor.nodePath ? shellQuote(executor.nodePath) : 'node';
  return [
    '#!/bin/bash',
    `# Written by KD-UDA Lab: the Slurm job that executes ${array ? `${runDirs.length} run folders (one array task each, listed in ${SLURM_FILES.runList})` : 'this run folder'}. Kept: it is what ran.`,
    ...options.map((option) => `#SBATCH ${option}`),
    '',
    // Until the trainer listens for it, the time-limit signal is ignored rather than fatal (bash and
    // node both die of an unhandled USR2); the trainer then stops at the limit itself, on SIGTERM.
    "trap '' USR2",
    ...locate,
    'echo "kd-uda: job ${SLURM_JOB_ID} on $(hostname) at $(date -Is), restart ${SLURM_RESTART_COUNT:-0}"',
    ...(executor.setup?.length ? ['# Set-up lines of the executor', ...executor.setup] : []),
    '# exec: the trainer is the batch step, so USR2 (time limit near) and TERM (scancel) reach it.',
    `exec ${node} ${shellQuote(trainerBundle)} train --resume "$run_dir" ${MAX_REQUEUES_OPTION} ${maxRequeues}`,
    '',
  ].join('\n');
}
