/**
 * One reader per file of the run folder (events.jsonl has its own, in eventLog.ts): each gives the
 * file's type or throws a RunFileError that names the file and, for a field that does not fit,
 * the field.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseCheckpointMeta, parseLatestCheckpoint, type CheckpointMeta, type LatestCheckpoint } from './checkpointFiles';
import { RunFileError } from './jsonShape';
import { parseRunResults, type RunResults } from './results';
import { parseRunExperiment, type RunExperiment } from './runExperiment';
import { CHECKPOINT_FILES, RUN_FILES } from './runFolderFormat';
import { parseRunLock, type RunLock } from './runLock';
import { parseRunStatus, type RunStatus } from './runStatus';
import { parseSweepMembership, type SweepMembership } from './sweepMembership';

/** A JSON file through `parse`: missing, not JSON and not fitting are told apart by RunFileError's `problem`. */
export async function readJsonFile<T>(file: string, parse: (value: unknown, file: string) => T): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    // ENOTDIR: a folder on the way is a file, so this file cannot be there either.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new RunFileError(file, 'missing', `${file} is missing`);
    throw error;
  }
  // A file cut off before its first byte (a full disk, a copy interrupted) is said to be empty:
  // JSON.parse would only say "Unexpected end of JSON input".
  if (text.trim() === '')
    throw new RunFileError(
      file,
      'syntax',
      `${file} is empty: it was cut short while being written (a full disk, a copy interrupted); restore it, or delete the run folder`,
    );
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

/** sweep.json: a RunFileError with problem `missing` for a run that belongs to no sweep. */
export function readSweepJson(runDir: string): Promise<SweepMembership> {
  return readJsonFile(path.join(runDir, RUN_FILES.sweep), parseSweepMembership);
}

export function readLatestJson(runDir: string): Promise<LatestCheckpoint> {
  return readJsonFile(path.join(runDir, RUN_FILES.checkpoints, CHECKPOINT_FILES.latest), parseLatestCheckpoint);
}

/**
 * meta.json of one checkpoint folder (`checkpoints/<role>/<set>`, or one copied elsewhere). Without
 * one, the error says whether the folder is missing altogether or is some other folder.
 */
export async function readMetaJson(checkpointDir: string): Promise<CheckpointMeta> {
  const file = path.join(checkpointDir, CHECKPOINT_FILES.meta);
  try {
    return await readJsonFile(file, parseCheckpointMeta);
  } catch (error) {
    if (!(error instanceof RunFileError) || error.problem !== 'missing') throw error;
    const found = await stat(checkpointDir).then(
      (entry) => (entry.isDirectory() ? 'folder' : 'file'),
      () => undefined,
    );
    const what = 'a checkpoint folder holds model.json, weights.bin and meta.json, as a run writes them into <run>/checkpoints/<role>/epoch-<n>';
    if (!found) throw new RunFileError(file, 'missing', `the checkpoint ${checkpointDir} does not exist`);
    throw new RunFileError(
      file,
      'missing',
      `${checkpointDir} is not a checkpoint folder: ${found === 'file' ? 'it is a file' : `it has no ${CHECKPOINT_FILES.meta}`} (${what})`,
    );
  }
}
