import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readStatusJson } from './readRunFiles';
import type { RunState } from './runFolderFormat';
import type { RunStatus } from './runStatus';

export interface RunListing {
  runId: string;
  dir: string;
  state?: RunState;
  /** Why a failed run failed, as the trainer recorded it. */
  error?: string;
  /** Why the run folder could not be read, when it could not. */
  problem?: string;
  /** When the trainer last started (or resumed) the run, ISO. */
  startedAt?: string;
}

/** Whether a process with this id exists on this machine (EPERM: it does, owned by another user). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A run folder's status.json: its state (and failure reason), or why it cannot be read. A run that
 * says running on this machine while its trainer process is gone reads as failed.
 */
export async function readRunStatus(dir: string): Promise<Pick<RunListing, 'state' | 'error' | 'problem' | 'startedAt'>> {
  let status: RunStatus;
  try {
    status = await readStatusJson(dir);
  } catch (error) {
    // One unreadable folder is that run's problem, never the whole list's.
    return { problem: error instanceof Error ? error.message : String(error) };
  }
  const { state, error, startedAt, pid, host } = status;
  if (state === 'running' && pid !== undefined && host === os.hostname() && !processExists(pid)) {
    // The trainer records every end it sees (done, stopped, failed); a process that is gone while
    // its run still says running was killed (out of memory, SIGKILL) or crashed in native code.
    return {
      state: 'failed',
      error: `the trainer (pid ${pid}) is gone but never recorded an end: it crashed or was killed`,
      ...(startedAt === undefined ? {} : { startedAt }),
    };
  }
  return {
    state,
    ...(error ? { error } : {}),
    ...(startedAt === undefined ? {} : { startedAt }),
  };
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
