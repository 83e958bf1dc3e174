/**
 * One reader per file of the run folder (events.jsonl has its own, in eventLog.ts): each gives the
 * file's type or throws a RunFileError that names the file and, for a field that does not fit,
 * the field.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCheckpointMeta, parseLatestCheckpoint, type CheckpointMeta, type LatestCheckpoint } from './checkpointFiles';
import { RunFileError } from './jsonShape';
import { parseRunResults, type RunResults } from './results';
import { parseRunExperiment, type RunExperiment } from './runExperiment';
import { CHECKPOINT_FILES, RUN_FILES } from './runFolderFormat';
import { parseRunLock, type RunLock } from './runLock';
import { parseRunStatus, type RunStatus } from './runStatus';

/** A JSON file through `parse`: missing, not JSON and not fitting are told apart by RunFileError's `problem`. */
export async function readJsonFile<T>(file: string, parse: (value: unknown, file: string) => T): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new RunFileError(file, 'missing', `${file} is missing`);
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RunFileError(file, 'syntax', `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parse(value, file);
}

export function readStatusJson(runDir: string): Promise<RunStatus> {
  return readJsonFile(path.join(runDir, RUN_FILES.status), parseRunStatus);
}

export function readLockJson(runDir: string): Promise<RunLock> {
  return readJsonFile(path.join(runDir, RUN_FILES.lock), parseRunLock);
}

export function readResultsJson(runDir: string): Promise<RunResults> {
  return readJsonFile(path.join(runDir, RUN_FILES.results), parseRunResults);
}

export function readExperimentJson(runDir: string): Promise<RunExperiment> {
  return readJsonFile(path.join(runDir, RUN_FILES.experiment), parseRunExperiment);
}

export function readLatestJson(runDir: string): Promise<LatestCheckpoint> {
  return readJsonFile(path.join(runDir, RUN_FILES.checkpoints, CHECKPOINT_FILES.latest), parseLatestCheckpoint);
}

/** meta.json of one checkpoint folder (`checkpoints/<role>/<set>`, or one copied elsewhere). */
export function readMetaJson(checkpointDir: string): Promise<CheckpointMeta> {
  return readJsonFile(path.join(checkpointDir, CHECKPOINT_FILES.meta), parseCheckpointMeta);
}
