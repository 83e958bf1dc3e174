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

/** Sets `slurm` in a run's status.json, keeping every other field as it is. */
async function recordJob(runDir: string, jobId: string): Promise<void> {
  const file = path.join(runDir, RUN_FILES.status);
  const status = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeJsonAtomic(file, { ...status, slurm: { jobId, requeues: 0 } });
}

/** Writes the script (and run list) and returns the script's path. */
async function writeBatchFiles(request: SubmitRequest, script: string): Promise<string> {
  const { runDirs } = request;
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
 * bad time limit), with the executor's problems when they are known before asking, and
 * SlurmCommandError when there is no sbatch.
 */
export async function submitRuns(request: SubmitRequest): Promise<Submission> {
  const run = request.run ?? slurmCommandRunner();
  const problems = slurmExecutorProblems(request.executor);
  if (problems.length) throw new SlurmSubmitError(problems.map((problem) => `${problem.path}: ${problem.message}`).join('\n'));
  const array = request.runDirs.length > 1;
  const jobName = request.jobName ?? `kd-uda-${path.basename(array ? (request.batchDir ?? 'sweep') : request.runDirs[0])}`;
  const script = renderBatchScript({ ...request, jobName });
  const scriptFile = await writeBatchFiles(request, script);
  const submitted = await run('sbatch', ['--parsable', '--hold', scriptFile]);
  const jobId = submitted.code === 0 ? parseSbatchOutput(submitted.stdout) : undefined;
  if (!jobId) throw new SlurmSubmitError(`sbatch refused the job: ${slurmMessage(submitted)}`);
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
