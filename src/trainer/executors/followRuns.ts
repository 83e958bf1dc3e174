import { canonicalJson } from '../../util/canonicalJson';
import { readRunStatus } from '../../runFolder/listRuns';
import { readStatusJson } from '../../runFolder/readRunFiles';
import type { RunState } from '../../runFolder/runFolderFormat';
import type { RunStatus } from '../../runFolder/runStatus';
import type { RunExecutor } from './runExecutor';

const END_STATES: readonly RunState[] = ['done', 'stopped', 'failed'];

export interface RunEnd {
  state: RunState;
  /** Why it failed, or why it never started. */
  reason?: string;
  /** Whether a trainer ran it in this follow: false for a run never started. */
  started: boolean;
  /** How long this follow's trainer ran it, from status.json, when it recorded both ends. */
  seconds?: number;
}

export interface FollowHandlers {
  onStart?: (runDir: string) => void;
  onEnd?: (runDir: string, end: RunEnd) => void;
}

/** status.json as it is, to tell an end recorded now from one a resumed run had before. */
async function statusText(runDir: string): Promise<string | undefined> {
  return readStatusJson(runDir).then(canonicalJson, () => undefined);
}

/** From the trainer's start (or resume: a run records both) to its end, as status.json says. */
function secondsRun(status: RunStatus | undefined): { seconds?: number } {
  const from = Date.parse(status?.resumedAt ?? status?.startedAt ?? '');
  const to = Date.parse(status?.endedAt ?? '');
  return Number.isNaN(from) || Number.isNaN(to) ? {} : { seconds: Math.max(0, (to - from) / 1000) };
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
      const recorded = await readStatusJson(runDir).catch(() => undefined);
      const anew = (recorded && canonicalJson(recorded)) !== before.get(runDir);
      const ended = anew && status.state !== undefined && END_STATES.includes(status.state);
      // A short run can start and end between two looks: its start is still told, first.
      if (anew && (status.state === 'running' || ended) && !started.has(runDir)) {
        started.add(runDir);
        handlers.onStart?.(runDir);
      }
      let end: RunEnd | undefined;
      if (ended) end = { state: status.state!, started: true, ...(status.error ? { reason: status.error } : {}), ...secondsRun(recorded) };
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
