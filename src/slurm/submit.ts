/**
 * Submits prepared run folders to Slurm: the batch script written where it stays (the run folder,
 * or for a job array the batch folder with its run list, and a copy in each run folder), `sbatch
 * --parsable`, and the job id recorded in each run's status.json (`slurm: {jobId, requeues: 0}`).
 *
 * The job is submitted held and released once every status.json names it: a job can start (and
 * its trainer rewrite status.json) within a second of sbatch, and the record must not overwrite it.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from '../runFolder/atomicFile';
import { RUN_FILES } from '../runFolder/runFolderFormat';
import { renderBatchScript, renderRunList, SLURM_FILES } from './batchScript';
import { slurmExecutorProblems, type SlurmExecutorSpec } from './slurmExecutor';
import { SlurmCommandError, slurmCommandRunner, slurmMessage, type SlurmCommandRunner } from './slurmCommand';

export interface SubmitRequest {
  executor: SlurmExecutorSpec;
  /** Prepared run folders (absolute): one is a plain job, more a job array with one task each. */
  runDirs: readonly string[];
  /** dist/trainer.js, absolute, as the compute nodes see it. */
  trainerBundle: string;
  /** Default: `kd-uda-<run folder name>`, or `kd-uda-<batch folder name>` for an array. */
  jobName?: string;
  /** Job arrays: where the script and the run list go (a sweep's folder). */
  batchDir?: string;
  run?: SlurmCommandRunner;
}

export interface Submission {
  /** What sbatch printed: the job, or the array job. */
  jobId: string;
  /** The id of each run's job, in the order of `runDirs`: the job, or `<array id>_<task>`. */
  runJobIds: string[];
  /** The script submitted. */
  script: string;
}

/** A submission Slurm (or the executor's own checks) refused; the message is Slurm's own where it spoke. */
export class SlurmSubmitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlurmSubmitError';
  }
}

/** `<id>` or `<id>;<cluster>`, what `sbatch --parsable` prints. */
export function parseSbatchOutput(stdout: string): string | undefined {
  return /^(\d+)(?:;\S+)?\s*$/.exec(stdout.trim())?.[1];
}

/**
 * The executor a run was last submitted with (slurm-executor.json), checked as an experiment's is:
 * undefined for a run never submitted to Slurm.
 */
export async function readSubmittedExecutor(runDir: string): Promise<SlurmExecutorSpec | undefined> {
  const file = path.join(runDir, SLURM_FILES.executor);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SlurmSubmitError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const problems =
    typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'slurm'
      ? slurmExecutorProblems(value, '')
      : [{ path: 'kind', message: 'is not "slurm"' }];
  if (problems.length) throw new SlurmSubmitError(`${file}: ${problems.map((problem) => `${problem.path.replace(/^\./, '')}: ${problem.message}`).join('; ')}`);
  return value as SlurmExecutorSpec;
}

/** Sets `slurm` in a run's status.json, keeping every other field as it is. */
async function recordJob(runDir: string, jobId: string): Promise<void> {
  const file = path.join(runDir, RUN_FILES.status);
  const status = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeJsonAtomic(file, { ...status, slurm: { jobId, requeues: 0 } });
}

/** A run whose job Slurm refused is failed, with Slurm's own words: it never ran, and Resume Run may submit it again. */
async function recordRefusal(runDir: string, message: string): Promise<void> {
  const file = path.join(runDir, RUN_FILES.status);
  const status = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeJsonAtomic(file, { ...status, state: 'failed', error: message, endedAt: new Date().toISOString() });
}

/** Writes the script (and run list) and returns the script's path. */
async function writeBatchFiles(request: SubmitRequest, script: string): Promise<string> {
  const { runDirs } = request;
  for (const dir of runDirs) await writeJsonAtomic(path.join(dir, SLURM_FILES.executor), request.executor);
  if (runDirs.length === 1) {
    const file = path.join(runDirs[0], SLURM_FILES.script);
    await writeFile(file, script, { mode: 0o755 });
    return file;
  }
  const batchDir = request.batchDir!;
  await mkdir(batchDir, { recursive: true });
  await writeFile(path.join(batchDir, SLURM_FILES.runList), renderRunList(runDirs));
  const file = path.join(batchDir, SLURM_FILES.script);
  await writeFile(file, script, { mode: 0o755 });
  // Each run folder keeps what ran it.
  for (const dir of runDirs) await copyFile(file, path.join(dir, SLURM_FILES.script));
  return file;
}

/**
 * Submits the run folders as one job (or one job array), records its id in each status.json and
 * returns it. Throws SlurmSubmitError with Slurm's message when sbatch refuses (unknown partition,
 * bad time limit; each run is then marked failed with that message), with the executor's problems
 * when they are known before asking (nothing is written then), and
 * SlurmCommandError when there is no sbatch (the runs marked failed with it too).
 */
export async function submitRuns(request: SubmitRequest): Promise<Submission> {
  const run = request.run ?? slurmCommandRunner();
  const problems = slurmExecutorProblems(request.executor);
  if (problems.length) throw new SlurmSubmitError(problems.map((problem) => `${problem.path}: ${problem.message}`).join('\n'));
  const array = request.runDirs.length > 1;
  const jobName = request.jobName ?? `kd-uda-${path.basename(array ? (request.batchDir ?? 'sweep') : request.runDirs[0])}`;
  const script = renderBatchScript({ ...request, jobName });
  const scriptFile = await writeBatchFiles(request, script);
  const submitted = await run('sbatch', ['--parsable', '--hold', scriptFile]).catch(async (error: unknown) => {
    // No sbatch here, or it hung: the runs cannot run either, and say why.
    for (const dir of request.runDirs) await recordRefusal(dir, error instanceof Error ? error.message : String(error));
    throw error;
  });
  const jobId = submitted.code === 0 ? parseSbatchOutput(submitted.stdout) : undefined;
  if (!jobId) {
    const refusal = new SlurmSubmitError(`sbatch refused the job: ${slurmMessage(submitted)}`);
    for (const dir of request.runDirs) await recordRefusal(dir, refusal.message);
    throw refusal;
  }
  const runJobIds = array ? request.runDirs.map((_, index) => `${jobId}_${index}`) : [jobId];
  try {
    for (const [index, dir] of request.runDirs.entries()) await recordJob(dir, runJobIds[index]);
  } catch (error) {
    await run('scancel', [jobId]);
    throw error;
  }
  const released = await run('scontrol', ['release', jobId]);
  if (released.code !== 0) throw new SlurmCommandError(`job ${jobId} was submitted held and could not be released: ${slurmMessage(released)}`, 'scontrol');
  return { jobId, runJobIds, script };
}
