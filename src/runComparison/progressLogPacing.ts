import type { TrainingProgress } from './trainingProgress';

/** Tenths of an epoch: up to ten lines an epoch when epochs are slow. */
const LINES_PER_EPOCH = 10;
/** But at most one line this often when epochs are fast, so the log stays readable. */
export const MIN_SECONDS_BETWEEN_LINES = 5;

/**
 * When a run's output gets a progress line: at each new tenth of an epoch, at each change of phase
 * (evaluating, writing results), and never within MIN_SECONDS_BETWEEN_LINES of the last line,
 * except for a change of phase or epoch, which is always worth a line.
 */
export class ProgressLogPacing {
  private last: { epoch: number; tenth: number; phase: TrainingProgress['phase']; ms: number } | undefined;

  /** Whether to write a line for `progress`, seen at `nowMs`; a yes counts as written. */
  shouldLog(progress: TrainingProgress, nowMs: number): boolean {
    const tenth = Math.floor((progress.step * LINES_PER_EPOCH) / progress.steps);
    const last = this.last;
    const milestone = !last || last.epoch !== progress.epoch || last.phase !== progress.phase;
    const due = milestone || (tenth > last.tenth && nowMs - last.ms >= MIN_SECONDS_BETWEEN_LINES * 1000);
    if (due) this.last = { epoch: progress.epoch, tenth, phase: progress.phase, ms: nowMs };
    return due;
  }
}
