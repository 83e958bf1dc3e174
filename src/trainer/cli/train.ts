import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Experiment } from '../../experiment/experiment';
import { formatExperimentProblem, validateExperimentDocument } from '../../experiment/validateExperiment';
import { writeJsonAtomic } from '../../runFolder/atomicFile';
import { RunFileError } from '../../runFolder/jsonShape';
import { readExperimentJson, readLatestJson, readStatusJson } from '../../runFolder/readRunFiles';
import type { RunFolderAnnouncement, TrainRefusal } from '../../runFolder/runFolderAnnouncement';
import { RUN_FILES, type RunState } from '../../runFolder/runFolderFormat';
import type { RunStatus } from '../../runFolder/runStatus';
import { createRunFolder } from '../../runFolder/runId';
import { asResumable } from '../../experiment/legacyExperiment';
import { recordHardExit } from '../runLoop/hardExit';
import { requeueSlurmJob } from '../runLoop/requeueSlurmJob';
import { slurmJobOfProcess } from '../../slurm/slurmEnvironment';
import { MAX_REQUEUES_OPTION } from '../../slurm/batchScript';
import { takeRunLock, RunLockedError, type HeldRunLock } from '../runLoop/runFolderLock';
import { RunWriter } from '../runLoop/runWriter';
import { trainRun, type StepProgress, type StopRequest } from '../runLoop/trainRun';
import { readExperimentFile } from './experimentFile';
import { preflight, PreflightError, type Preflight } from './preflight';
import { tellLauncher } from './tellLauncher';
import type { CliIo } from './cliIo';
import { UsageError } from './usageError';

export const TRAIN_USAGE = `Usage: kd-uda train <file.kdexp.json> [--runs-dir DIR]
       kd-uda train --resume <runDir> [--slurm-max-requeues N]

Trains an experiment into a new run folder <runs-dir>/<yyyymmdd-hhmmss>-<name> (default runs-dir:
./runs). SIGTERM or Ctrl-C finishes the step, writes a checkpoint and marks the run stopped (a
second one exits at once: stopped at the last checkpoint, or failed if none was written yet);
--resume continues it from that checkpoint on the same schedule (from step 0 if there is none).

In a Slurm job (SLURM_JOB_ID set) the job id is recorded in status.json, and SIGUSR2 (sbatch
--signal=B:USR2@S, before the time limit) finishes the step, writes a checkpoint, marks the run
queued and requeues the job (scontrol requeue), which continues from that checkpoint: at most
--slurm-max-requeues times (default 0), then it stops as on SIGTERM.

Exit codes: 0 done or stopped; 1 failed (the run folder says why); 2 bad arguments or experiment;
3 the run folder is being written by another trainer (its lock.json names it).`;

// Commands and tests that train have long taken UsageError from here.
export { UsageError };

/**
 * The experiment of a file without a sweep, and its text. A sweep's runs are prepared and run by
 * `prepare` and `sweep`, which record each run's point beside it.
 */
async function readExperimentToTrain(file: string): Promise<{ experiment: Experiment; text: string }> {
  const read = await readExperimentFile(file);
  if (read.sweep) {
    throw new UsageError(
      `${file} is a sweep of ${read.points.length} runs (over ${read.sweep.axes.map((axis) => axis.path).join(', ')}): run it with kd-uda sweep ${file}, or make its run folders with kd-uda prepare ${file}`,
    );
  }
  return { experiment: read.points[0].experiment, text: read.text };
}

/** A run folder's own file, or a UsageError saying why it cannot be resumed from. */
async function readForResume<T>(runDir: string, read: (runDir: string) => Promise<T>): Promise<T> {
  try {
    return await read(runDir);
  } catch (error) {
    if (error instanceof RunFileError)
      throw new UsageError(error.problem === 'missing' ? `${runDir} is not a run folder: ${error.message}` : `cannot resume ${runDir}: ${error.message}`);
    throw error;
  }
}

/**
 * The experiment a stopped or failed run continues with: its experiment.json, checked like any
 * experiment before work starts (a folder written by hand or by another version may not be one).
 */
async function readResumable(runDir: string): Promise<Experiment> {
  const status = await readForResume(runDir, readStatusJson);
  if (status.state === 'done') throw new UsageError(`${runDir} is already done; nothing to resume`);
  const recorded = await readForResume(runDir, readExperimentJson);
  const file = path.join(runDir, RUN_FILES.experiment);
  // Checked on a copy: validation fills in defaults, which would hide what an older run left out.
  const checked = validateExperimentDocument(structuredClone(recorded), file);
  if (!checked.ok) throw new UsageError(checked.problems.map((problem) => formatExperimentProblem(file, problem)).join('\n'));
  return asResumable(checked.experiment, recorded);
}

export interface TrainRequest {
  file?: string;
  runsDir?: string;
  resume?: string;
  stop: StopRequest;
  echo: (line: string) => void;
  onStep?: (progress: StepProgress) => void;
  /** Told the run folder and its lock as soon as they exist, before any work. */
  onRunFolder?: (runDir: string, lock: HeldRunLock) => void;
  /** The Slurm job this trainer runs in, and how often it may requeue itself (absent: not under Slurm). */
  slurm?: { jobId: string; maxRequeues: number };
}

function hasCheckpoint(runDir: string): Promise<boolean> {
  return readLatestJson(runDir).then(
    () => true,
    () => false,
  );
}

/**
 * The experiment and what it names, checked before anything is created: a UsageError lists every
 * problem, each on its field and, in an experiment file, its line.
 */
async function checkedExperiment(request: TrainRequest): Promise<{ experiment: Experiment; checked: Preflight }> {
  const { experiment, text } = request.resume
    ? { experiment: await readResumable(request.resume), text: undefined }
    : await readExperimentToTrain(request.file!);
  const file = request.resume ? path.join(request.resume, RUN_FILES.experiment) : request.file!;
  // Warm starts are loaded by a run that starts from step 0: a new one, or a prepared (or resumed) one with no checkpoint yet.
  const checkWarmStarts = !request.resume || !(await hasCheckpoint(request.resume));
  try {
    return { experiment, checked: await preflight({ experiment, text, checkWarmStarts }) };
  } catch (error) {
    if (error instanceof PreflightError) throw new UsageError(error.problems.map((problem) => formatExperimentProblem(file, problem)).join('\n'));
    throw error;
  }
}

/** Validates, creates (or reopens) the run folder, takes its lock and trains; the command and tests share it. */
export async function startTraining(request: TrainRequest): Promise<{ runDir: string; state: RunState }> {
  const { experiment, checked } = await checkedExperiment(request);
  let runDir = request.resume;
  let lock: HeldRunLock;
  let previous: RunStatus | undefined;
  if (runDir) {
    lock = await takeRunLock(runDir);
    previous = await readStatusJson(runDir);
    // Another trainer may have finished the run between the check above and the lock.
    if (previous.state === 'done') {
      await lock.release();
      throw new UsageError(`${runDir} is already done; nothing to resume`);
    }
  } else {
    runDir = (await createRunFolder(request.runsDir ?? 'runs', experiment.name)).dir;
    lock = await takeRunLock(runDir);
    await writeJsonAtomic(path.join(runDir, RUN_FILES.experiment), experiment);
  }
  try {
    request.onRunFolder?.(runDir, lock);
    const writer = await RunWriter.open(runDir, request.echo, previous, request.slurm?.jobId);
    try {
      await writer.log(`run folder: ${runDir}`);
      for (const line of [...checked.backendLog, ...checked.warnings]) await writer.log(line);
      const data = { dataset: checked.dataset, problems: checked.dataProblems };
      const state = await trainRun({
        experiment,
        writer,
        backend: checked.backend,
        data,
        // A prepared run that never started starts (its first event says so); any other continues.
        resume: Boolean(request.resume) && !(previous?.state === 'queued' && !(await hasCheckpoint(runDir))),
        stop: request.stop,
        onStep: request.onStep,
        maxRequeues: request.slurm?.maxRequeues,
      });
      return { runDir, state };
    } finally {
      await writer.close();
    }
  } finally {
    await lock.release();
  }
}

/** A progress bar with an ETA on a terminal; nothing extra otherwise (the per-epoch log lines remain). */
function progressBar(write: (text: string) => void): (progress: StepProgress) => void {
  let started = Date.now();
  let startedEpoch = -1;
  return ({ epoch, epochs, step, steps }) => {
    if (epoch !== startedEpoch) {
      started = Date.now();
      startedEpoch = epoch;
    }
    const done = Math.round((20 * step) / steps);
    const eta = (((Date.now() - started) / step) * (steps - step)) / 1000;
    write(
      `\repoch ${epoch}/${epochs} [${'#'.repeat(done)}${'-'.repeat(20 - done)}] ${step}/${steps} ETA ${Math.floor(eta / 60)}:${String(Math.round(eta % 60)).padStart(2, '0')}${step === steps ? '\n' : ''}`,
    );
  };
}

/** Tells the launcher which run folder to follow, before any work. */
function announceRunFolder(runDir: string): void {
  const announcement: RunFolderAnnouncement = { kind: 'run-folder', runDir: path.resolve(runDir), pid: process.pid };
  tellLauncher(announcement);
}

export async function trainCommand(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        'runs-dir': { type: 'string' },
        resume: { type: 'string' },
        [MAX_REQUEUES_OPTION.slice(2)]: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`kd-uda train: ${(error as Error).message}\n\n${TRAIN_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(TRAIN_USAGE);
    return 0;
  }
  if ((positionals.length !== 1) === !values.resume || positionals.length > 1) {
    io.err(`kd-uda train: give one experiment file, or --resume <runDir>\n\n${TRAIN_USAGE}`);
    return 2;
  }
  const maxRequeuesText = values[MAX_REQUEUES_OPTION.slice(2)] as string | undefined;
  const maxRequeues = maxRequeuesText === undefined ? 0 : Number(maxRequeuesText);
  if (!Number.isInteger(maxRequeues) || maxRequeues < 0) {
    io.err(`kd-uda train: ${MAX_REQUEUES_OPTION} takes a whole number of at least 0, not "${maxRequeuesText}"\n\n${TRAIN_USAGE}`);
    return 2;
  }
  const slurmJob = slurmJobOfProcess();
  const slurm = slurmJob ? { jobId: slurmJob, maxRequeues } : undefined;
  const stop: StopRequest = { requested: false };
  let run: { dir: string; lock: HeldRunLock } | undefined;
  // Once the job is being requeued, Slurm ends this process with SIGTERM: the run folder already says queued.
  let requeueing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (requeueing) process.exit(0);
    if (stop.requested) {
      io.err(`kd-uda: second ${signal}: exiting without a checkpoint`);
      // The status says what is on disk, not running, and the folder is free for a resume.
      if (run) {
        recordHardExit(run.dir, signal);
        run.lock.releaseSync();
      }
      process.exit(130);
    }
    stop.requested = true;
    io.err(`kd-uda: ${signal}: finishing the step, then writing a checkpoint (again to exit at once)`);
  };
  // sbatch --signal=B:USR2@S: the job's time limit is S seconds away.
  const onTimeLimit = () => {
    if (stop.requested) return;
    stop.timeLimit = true;
    onSignal('SIGUSR2');
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  if (slurm) process.on('SIGUSR2', onTimeLimit);
  try {
    const { state } = await startTraining({
      file: positionals[0],
      runsDir: values['runs-dir'],
      resume: values.resume,
      stop,
      echo: io.out,
      onStep: process.stdout.isTTY ? progressBar((text) => process.stdout.write(text)) : undefined,
      onRunFolder: (dir, lock) => {
        run = { dir, lock };
        announceRunFolder(dir);
      },
      slurm,
    });
    if (state === 'queued' && slurm && run) {
      requeueing = true;
      if (!(await requeueSlurmJob(run.dir, slurm.jobId))) return 1;
    }
    return state === 'failed' ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      tellLauncher({ kind: 'train-refused', reason: error.message } satisfies TrainRefusal);
      return 2;
    }
    if (error instanceof RunLockedError) {
      io.err(`kd-uda train: ${error.message}`);
      return 3;
    }
    throw error;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('SIGUSR2', onTimeLimit);
  }
}
