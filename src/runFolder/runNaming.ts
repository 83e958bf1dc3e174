/**
 * How a run reads in lists and messages: its run id is `<yyyymmdd-hhmmss>-<name>` (local time of
 * its creation, see runId.ts), which is unique but long; people know a run by its experiment and
 * when it started.
 */
const RUN_ID = /^(\d{4})(\d\d)(\d\d)-(\d\d)(\d\d)(\d\d)-(.+)$/;

/** When the run's folder was made, to the second, `2026-01-02 03:04:05`, from its id; undefined for an id without a timestamp. */
export function runIdStamp(runId: string): string | undefined {
  const stamp = RUN_ID.exec(runId);
  return stamp ? `${stamp[1]}-${stamp[2]}-${stamp[3]} ${stamp[4]}:${stamp[5]}:${stamp[6]}` : undefined;
}

/** When the run started, `2026-01-02 03:04`: from its id, else from status.json's `startedAt` (shown in UTC). */
export function runStartedText(runId: string, startedAt?: string): string | undefined {
  const stamp = RUN_ID.exec(runId);
  if (stamp) return `${stamp[1]}-${stamp[2]}-${stamp[3]} ${stamp[4]}:${stamp[5]}`;
  return startedAt && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(startedAt) ? startedAt.slice(0, 16).replace('T', ' ') : undefined;
}

/** The name part of a run id (`tiny`, `tiny-2` for the second run of a second): the id itself when it has no timestamp. */
export function runIdName(runId: string): string {
  return RUN_ID.exec(runId)?.[7] ?? runId;
}
