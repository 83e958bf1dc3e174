import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RUN_FILES, RUN_FORMAT_VERSION, RUN_STATES, type RunState } from './runFolderFormat';

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
  const file = path.join(dir, RUN_FILES.status);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { problem: `${file} is missing` };
  }
  let status: unknown;
  try {
    status = JSON.parse(text);
  } catch (error) {
    return { problem: `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const { version, state, error, startedAt, pid, host } = (status ?? {}) as { version?: unknown; state?: unknown; error?: unknown; startedAt?: unknown; pid?: unknown; host?: unknown };
  if (typeof version === 'number' && version > RUN_FORMAT_VERSION) {
    return { problem: `${file} has format version ${version}; this KD-UDA Lab reads up to ${RUN_FORMAT_VERSION}. Update the extension.` };
  }
  if (typeof state !== 'string' || !(RUN_STATES as readonly string[]).includes(state)) {
    return { problem: `${file}: field "state" must be one of ${RUN_STATES.join(', ')}` };
  }
  if (state === 'running' && typeof pid === 'number' && host === os.hostname() && !processExists(pid)) {
    // The trainer records every end it sees (done, stopped, failed); a process that is gone while
    // its run still says running was killed (out of memory, SIGKILL) or crashed in native code.
    return {
      state: 'failed',
      error: `the trainer (pid ${pid}) is gone but never recorded an end: it crashed or was killed`,
      ...(typeof startedAt === 'string' ? { startedAt } : {}),
    };
  }
  return {
    state: state as RunState,
    ...(typeof error === 'string' && error ? { error } : {}),
    ...(typeof startedAt === 'string' ? { startedAt } : {}),
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
