import type { DataProblem } from './samples';

/** How many paths a message names before "and N more": enough to find the pattern, short enough to read. */
export const FIRST_PATHS = 5;

/** `a, b, c and 4 more`. */
export function firstPaths(paths: readonly string[]): string {
  const shown = paths.slice(0, FIRST_PATHS).join(', ');
  return paths.length > FIRST_PATHS ? `${shown} and ${paths.length - FIRST_PATHS} more` : shown;
}

/**
 * The images a run skipped because they could not be decoded, which events.jsonl records one by
 * one: said again in one line at the end of each epoch that met new ones, so the terminal and
 * trainer.log show how many and which.
 */
export class SkippedImages {
  private readonly recent: string[] = [];
  private total = 0;

  /** Counts `problem` when it is a skipped image. */
  note(problem: DataProblem): void {
    if (problem.code !== 'corrupt-image') return;
    this.total++;
    this.recent.push(problem.path ?? problem.message);
  }

  /** The line for the epoch just ended, when it skipped any image; starts the next epoch's count. */
  takeSummary(epoch: number): string | undefined {
    if (this.recent.length === 0) return undefined;
    const count = this.recent.length;
    const line = `epoch ${epoch}: skipped ${count} ${count === 1 ? 'image' : 'images'} that could not be decoded${this.total > count ? ` (${this.total} in this run)` : ''}: ${firstPaths(this.recent)} (events.jsonl has each reason)`;
    this.recent.length = 0;
    return line;
  }
}
