/**
 * Data that cannot be trained on. Every problem found is listed at once, each naming the folder,
 * file, line or setting concerned, so a user fixes them all in one go.
 */
export class DataError extends Error {
  override readonly name = 'DataError';

  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems with the data:\n- ${problems.join('\n- ')}`);
  }
}
