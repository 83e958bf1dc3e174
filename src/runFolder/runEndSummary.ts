import type { CheckpointListing } from './listCheckpoints';

/**
 * What a run's end says in one line: each model's mean target accuracy, a failure's error
 * without the stack frames and log lines around it, and where a resume would continue.
 */

/** The student first (what the run is for), then its teachers, then anything else; each with a value. */
function roleOrder(role: string): number {
  return role === 'student' ? 0 : role.startsWith('teacher') ? 1 : 2;
}

/** `student 28.3%, teacher 31.7%`: every model with a finite accuracy (a fraction), the student first. */
export function accuracySummary(byRole: Readonly<Record<string, number | undefined>>): string {
  return Object.entries(byRole)
    .flatMap(([role, accuracy]) => (accuracy !== undefined && Number.isFinite(accuracy) ? [[role, accuracy] as const] : []))
    .sort(([a], [b]) => roleOrder(a) - roleOrder(b) || a.localeCompare(b))
    .map(([role, accuracy]) => `${role} ${(100 * accuracy).toFixed(1)}%`)
    .join(', ');
}

const STACK_FRAME = /^\s+at\s|^\s*at\s.*\(.*:\d+:\d+\)$/;
/** Longest line a notification shows of an error before cutting it. */
const MAX_LINE = 300;

function clip(line: string): string {
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
}

/** The first line of an error that says something: not blank, not a stack frame; trimmed and clipped. */
export function firstUsefulLine(text: string | undefined): string | undefined {
  const line = text?.split(/\r?\n/).find((candidate) => candidate.trim() !== '' && !STACK_FRAME.test(candidate));
  return line === undefined ? undefined : clip(line.trim());
}

/**
 * The line of a process's last output that names its error, for a trainer that died without
 * recording one: the last line that says error, failed, cannot or exception (outside stack
 * frames), else the last line that is no stack frame.
 */
export function errorLineOf(tail: readonly string[]): string | undefined {
  const lines = tail.filter((line) => line.trim() !== '' && !STACK_FRAME.test(line));
  const named = lines.filter((line) => /\b(error|failed|cannot|exception|fatal)\b/i.test(line)).at(-1);
  const line = named ?? lines.at(-1);
  return line === undefined ? undefined : clip(line.trim());
}

/**
 * Where Resume Run continues a run: its latest checkpoint, `the end of epoch 2` or `epoch 3, step
 * 40` (a set written mid-epoch when it was stopped); undefined for a run that saved none, which
 * has nothing to resume from.
 */
export function resumePoint(checkpoints: readonly CheckpointListing[]): string | undefined {
  const latest = checkpoints.filter((checkpoint) => checkpoint.latest).sort((a, b) => b.globalStep - a.globalStep)[0];
  if (!latest) return undefined;
  return /-step-\d+$/.test(latest.set) ? `epoch ${latest.epoch}, step ${latest.stepInEpoch}` : `the end of epoch ${latest.epoch}`;
}
