import { deriveSeed, SeededRandom } from './seededRandom';
import type { Sample } from './samples';

/**
 * How a domain's images divide into training and test images:
 * - all: both are every image (transductive, as the papers evaluate: targets are unlabelled
 *   during training anyway, and the test reads their labels only to score);
 * - holdout: a seeded, per-class fraction is held out for testing;
 * - folders: the dataset's own train/ and test/ folders (see splitFolders.ts).
 */
export type SplitSpec = { kind: 'all' } | { kind: 'holdout'; testFraction: number } | { kind: 'folders' };

export interface SplitSamples {
  train: Sample[];
  test: Sample[];
}

/**
 * Holds out `testFraction` of every class (so a rare class is in both halves), chosen by a
 * generator seeded with the seed, the domain and the class: adding a domain or changing another
 * class does not move a single image of this one. Both halves keep the listing's order.
 */
export function holdOut(samples: readonly Sample[], testFraction: number, seed: number, domain: string): SplitSamples {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`split.testFraction must be between 0 and 1 (exclusive), got ${testFraction}.`);
  const byClass = new Map<number, number[]>();
  samples.forEach((sample, index) => {
    const members = byClass.get(sample.label) ?? [];
    members.push(index);
    byClass.set(sample.label, members);
  });
  const isTest = new Uint8Array(samples.length);
  for (const [label, members] of byClass) {
    const random = new SeededRandom(deriveSeed(seed, 'holdout', domain, label));
    const testCount = Math.round(members.length * testFraction);
    for (const index of random.shuffle([...members]).slice(0, testCount)) isTest[index] = 1;
  }
  return { train: samples.filter((_, index) => !isTest[index]), test: samples.filter((_, index) => isTest[index]) };
}
