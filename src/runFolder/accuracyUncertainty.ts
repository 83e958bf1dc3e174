/**
 * How much an accuracy measured on n test images can be trusted: its step (1/n), its binomial
 * standard error, and whether it is distinguishable from guessing. Pure: the panels use it too.
 */

/** Images a confusion matrix counts (confusion[true][predicted]). */
export function imagesIn(confusion: readonly (readonly number[])[]): number {
  return confusion.reduce((sum, row) => sum + row.reduce((rowSum, count) => rowSum + count, 0), 0);
}

/** Binomial standard error of an accuracy p measured on n images. */
export function standardError(p: number, n: number): number {
  return n > 0 ? Math.sqrt((p * (1 - p)) / n) : Number.NaN;
}

/** Standard errors above chance an accuracy must be to count as learnt: about a 98% one-sided test. */
export const CHANCE_MARGIN_SE = 2;

export interface ChanceLevel {
  /** 1 / classes. */
  chance: number;
  /** The standard error of an accuracy at chance on these images. */
  standardError: number;
  /** At or below chance + CHANCE_MARGIN_SE standard errors: no evidence that the model does better than guessing. */
  nearChance: boolean;
}

/** Whether `accuracy` on `images` test images of `classes` classes is within chance's noise (or below it). */
export function chanceLevel(accuracy: number, classes: number, images: number): ChanceLevel | undefined {
  if (!(classes > 1) || !(images > 0) || !Number.isFinite(accuracy)) return undefined;
  const chance = 1 / classes;
  const error = standardError(chance, images);
  return { chance, standardError: error, nearChance: accuracy <= chance + CHANCE_MARGIN_SE * error };
}
