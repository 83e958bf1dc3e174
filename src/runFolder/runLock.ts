import os from 'node:os';
import { number, object, parseVersionedFile, string, type Shape } from './jsonShape';
import { RUN_FORMAT_VERSION } from './runFolderFormat';

/**
 * lock.json: the one trainer writing the run folder, created whole (never rewritten) before it
 * writes anything and removed when it exits. A second trainer refuses a folder whose lock holder
 * is alive, so two of them never interleave epochs, checkpoints or status.
 */
export interface RunLock {
  version: number;
  host: string;
  pid: number;
  /** When the holder took the lock, ISO. */
  startedAt: string;
}

const runLock: Shape<RunLock> = object({ version: number, host: string, pid: number, startedAt: string });

export function parseRunLock(value: unknown, file: string): RunLock {
  return parseVersionedFile(file, value, RUN_FORMAT_VERSION, runLock);
}

/** Whether a process with this id exists on this machine (EPERM: it does, owned by another user). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a lock's holder still runs: `alive` or `gone` can only be told on its own machine; on
 * another one (a cluster node, a remote) it is `elsewhere`, and only a person can tell.
 */
export function lockHolder(lock: Pick<RunLock, 'host' | 'pid'>): 'alive' | 'gone' | 'elsewhere' {
  if (lock.host !== os.hostname()) return 'elsewhere';
  return processExists(lock.pid) ? 'alive' : 'gone';
}
