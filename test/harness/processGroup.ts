import { readdirSync, readFileSync } from 'node:fs';

/**
 * Ending a process tree we started, reliably: the tree's root is spawned `detached` (its own
 * process group and session), every process of the tree inherits a unique marker variable in its
 * environment, and cleanup signals the group and then any straggler that carries the marker (a
 * child that made its own group, such as a terminal shell, still carries it).
 */

/** The environment variable every process the harness spawns inherits. */
export const MARKER_VARIABLE = 'KDUDA_HARNESS_MARKER';

/** A marker value unique to one spawned tree. */
export function newMarker(label: string): string {
  return `${label}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The pids (other than ours) whose environment carries `MARKER_VARIABLE=marker`. Linux only. */
export function pidsWithMarker(marker: string): number[] {
  const needle = `${MARKER_VARIABLE}=${marker}`;
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (environ.split('\0').includes(needle)) pids.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Synchronous last-resort kill, safe to call from a process 'exit' handler. */
export function killTreeNow(pgid: number | undefined, marker: string): void {
  if (pgid) signal(-pgid, 'SIGKILL');
  for (const pid of pidsWithMarker(marker)) signal(pid, 'SIGKILL');
}

/** SIGTERM the group and marked processes, wait up to `graceMs`, then SIGKILL what is left. */
export async function killTree(pgid: number | undefined, marker: string, graceMs = 3000): Promise<void> {
  if (pgid) signal(-pgid, 'SIGTERM');
  for (const pid of pidsWithMarker(marker)) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if ((!pgid || !groupAlive(pgid)) && pidsWithMarker(marker).length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  killTreeNow(pgid, marker);
}

type Cleanup = () => void;
const exitCleanups = new Set<Cleanup>();
let hooksInstalled = false;

/**
 * Registers a synchronous cleanup that runs if the harness process exits or is interrupted
 * (SIGINT, SIGTERM, SIGHUP) before the resource was disposed. Returns the unregister function.
 */
export function onHarnessExit(cleanup: Cleanup): () => void {
  exitCleanups.add(cleanup);
  if (!hooksInstalled) {
    hooksInstalled = true;
    const runAll = () => {
      for (const fn of [...exitCleanups]) {
        try {
          fn();
        } catch {
          // keep cleaning the rest
        }
      }
      exitCleanups.clear();
    };
    process.on('exit', runAll);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(sig, () => {
        runAll();
        // With no other listener, re-raise with the default action so the exit status says what
        // happened; otherwise the other listeners own the decision to exit.
        if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
      });
    }
  }
  return () => exitCleanups.delete(cleanup);
}
