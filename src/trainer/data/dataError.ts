/** One reason data cannot be trained on, with the experiment field to change when one is to blame. */
export interface DataErrorProblem {
  /** `data.root`, `data.targets[1]`, `data.split.kind`…: where the experiment file says what is wrong. */
  field?: string;
  message: string;
}

/** `data.targets[1]: no domain "x" in …`: the field first, as experiment problems read. */
export function describeDataProblem(problem: DataErrorProblem): string {
  return problem.field ? `${problem.field}: ${problem.message}` : problem.message;
}

/**
 * Data that cannot be trained on. Every problem found is listed at once, each naming the folder,
 * file, line or setting concerned, so a user fixes them all in one go.
 */
export class DataError extends Error {
  override readonly name = 'DataError';
  readonly problems: readonly DataErrorProblem[];

  constructor(problems: readonly (string | DataErrorProblem)[]) {
    const listed = problems.map((problem) => (typeof problem === 'string' ? { message: problem } : problem));
    const lines = listed.map(describeDataProblem);
    super(lines.length === 1 ? lines[0] : `${lines.length} problems with the data:\n- ${lines.join('\n- ')}`);
    this.problems = listed;
  }
}
