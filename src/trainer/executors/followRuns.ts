import { canonicalJson } from '../../util/canonicalJson';
import { readRunStatus } from '../../runFolder/listRuns';
import { readStatusJson } from '../../runFolder/readRunFiles';
import type { RunState } from '../../runFolder/runFolderFormat';
import type { RunExecutor } from './runExecutor';

const END_STATES: readonly RunState[] = ['done', 'stopped', 'failed'];

export interface RunEnd {
  state: RunState;
  /** Why it failed, or why it never started. */
  reason?: string;
  /** Whether a trainer ran it in this follow: false for a run never started. */
  started: boolean;
}

export interface FollowHandlers {
  onStart?: (runDir: string) => void;
  onEnd?: (runDir: string, end: RunEnd) => void;
}

/** status.json as it is, to tell an end recorded now from one a resumed run had before. */
async function statusText(runDir: string): Promise<string | undefined> {
  return readStatusJson(runDir).then(canonicalJson, () => undefined);
}

/**
 * Follows runs handed to `executor` through their folders until each has ended, and gives how
 * each ended. An end counts once status.json records it anew (a stopped run resumed says stopped
 * until its trainer writes running); a run whose folder cannot say (`executor.settled`) ends as
 * the executor says. `before` holds each folder's status.json as it was before it was handed over.
 */
export async function followRuns(
  runDirs: readonly string[],
  executor: RunExecutor,
  before: ReadonlyMap<string, string | undefined>,
  handlers: FollowHandlers = {},
  intervalMs = 500,
): Promise<Map<string, RunEnd>> {
  const ends = new Map<string, RunEnd>();
  const started = new Set<string>();
  for (;;) {
    for (const runDir of runDirs) {
      if (ends.has(runDir)) continue;
      // Asked before the folder is read: a trainer settles only after its last write, so a folder read after shows it.
      const settled = executor.settled(runDir);
      const status = await readRunStatus(runDir);
      const anew = (await statusText(runDir)) !== before.get(runDir);
      if (anew && status.state === 'running' && !started.has(runDir)) {
        started.add(runDir);
        handlers.onStart?.(runDir);
      }
      let end: RunEnd | undefined;
      if (anew && status.state && END_STATES.includes(status.state))
        end = { state: status.state, started: true, ...(status.error ? { reason: status.error } : {}) };
      else if (settled)
        end = settled.started
          ? { state: 'failed', reason: settled.reason, started: true }
          : { state: status.state ?? 'queued', reason: settled.reason, started: false };
      if (!end) continue;
      ends.set(runDir, end);
      handlers.onEnd?.(runDir, end);
    }
    if (ends.size === runDirs.length) return ends;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Each folder's status.json as it is now, for followRuns to tell new ends from old. */
export async function statusesBefore(runDirs: readonly string[]): Promise<Map<string, string | undefined>> {
  return new Map(await Promise.all(runDirs.map(async (runDir) => [runDir, await statusText(runDir)] as const)));
}
