import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { readLockJson, readStatusJson } from './readRunFiles';
import { lockHolder } from './runLock';
import type { RunState } from './runFolderFormat';
import type { RunStatus, SlurmJobRecord } from './runStatus';

export interface RunListing {
  runId: string;
  dir: string;
  state?: RunState;
  /** Why a failed run failed, as the trainer recorded it. */
  error?: string;
  /** Why the run folder could not be read, when it could not. */
  problem?: string;
  /** When the run first started, ISO (a resume keeps it). */
  startedAt?: string;
  /** The Slurm job that executes (or last executed) the run. */
  slurm?: SlurmJobRecord;
}

/**
 * A run folder's status.json: its state (and failure reason), or why it cannot be read. Its
 * lock.json, when a live trainer on this machine holds it, makes the run running whatever the
 * status says yet (a resume that has not written it). A run that says running on this machine
 * while its trainer process is gone, and no live trainer holds the lock, reads as failed.
 */
export async function readRunStatus(dir: string): Promise<Pick<RunListing, 'state' | 'error' | 'problem' | 'startedAt' | 'slurm'>> {
  let status: RunStatus;
  try {
    status = await readStatusJson(dir);
  } catch (error) {
    // One unreadable folder is that run's problem, never the whole list's.
    return { problem: error instanceof Error ? error.message : String(error) };
  }
  const { state, error, startedAt, pid, host, slurm } = status;
  const since = { ...(startedAt === undefined ? {} : { startedAt }), ...(slurm ? { slurm } : {}) };
  // An unreadable lock says nothing about the run: the trainer that wrote it reports its own state.
  const lock = await readLockJson(dir).catch(() => undefined);
  if (lock && lockHolder(lock) === 'alive') return { state: 'running', ...since };
  if (state === 'running' && pid !== undefined && lockHolder({ pid, host: host ?? '' }) === 'gone') {
    // The trainer records every end it sees (done, stopped, failed); a process that is gone while
    // its run still says running was killed (out of memory, SIGKILL) or crashed in native code.
    // What happened, not what to do: a terminal says `kd-uda train --resume`, VS Code a Resume button.
    return {
      state: 'failed',
      error: `the trainer (pid ${pid}) is gone but never recorded an end: it crashed or was killed`,
      ...since,
    };
  }
  return { state, ...(error ? { error } : {}), ...since };
}

/** Every run folder under `runsDir`, newest first (run ids start with a timestamp). */
export async function listRuns(runsDir: string): Promise<RunListing[]> {
  let entries;
  try {
    entries = await readdir(runsDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const dirs = entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name);
  const runs = await Promise.all(
    dirs.map(async (runId) => {
      const dir = path.join(runsDir, runId);
      return { runId, dir, ...(await readRunStatus(dir)) };
    }),
  );
  return runs.sort((a, b) => b.runId.localeCompare(a.runId));
}
