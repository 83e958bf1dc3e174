import { deriveSeed, SeededRandom } from '../data/seededRandom';

/** `total` split over ten classes as evenly as it goes (the first classes take the remainder). */
function perClass(total: number): number[] {
  return Array.from({ length: 10 }, (_, digit) => Math.floor(total / 10) + (digit < total % 10 ? 1 : 0));
}

/**
 * Picks, for each split in turn, `counts[split]` items balanced over the ten classes, without
 * replacement across splits, seeded. `labels[i]` is item i's class. When a class runs short, the
 * split takes what is left of it.
 */
export function pickBalanced(labels: ArrayLike<number>, counts: readonly number[], seed: number, purpose: string): number[][] {
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]]?.push(i);
  byClass.forEach((members, digit) => new SeededRandom(deriveSeed(seed, purpose, digit)).shuffle(members));
  const taken = new Array<number>(10).fill(0);
  return counts.map((count) => {
    const picked: number[] = [];
    perClass(count).forEach((wanted, digit) => {
      const members = byClass[digit];
      const end = Math.min(members.length, taken[digit] + wanted);
      picked.push(...members.slice(taken[digit], end));
      taken[digit] = end;
    });
    return picked.sort((a, b) => labels[a] - labels[b] || a - b);
  });
}
