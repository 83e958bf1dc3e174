import { SeededRandom } from './seededRandom';

/**
 * An endless stream of sample indices for one domain: a fresh seeded permutation every pass, and a
 * batch that straddles two passes takes the rest of one and the start of the next. Each domain
 * has its own sampler, so a small target domain reshuffles as often as it runs out while the
 * source goes on (the public code re-created an exhausted iterator every step instead, and
 * trained on the same target batch over and over).
 */
export class DomainSampler {
  private readonly random: SeededRandom;
  private order: number[] = [];
  private position = 0;
  /** Passes completed over the whole domain. */
  passes = 0;

  constructor(
    readonly count: number,
    seed: number,
  ) {
    if (count <= 0) throw new Error('A domain sampler needs at least one sample.');
    this.random = new SeededRandom(seed);
    this.reshuffle();
  }

  private reshuffle(): void {
    this.order = this.random.shuffle(Array.from({ length: this.count }, (_, index) => index));
    this.position = 0;
  }

  take(n: number): number[] {
    const indices: number[] = [];
    while (indices.length < n) {
      indices.push(this.order[this.position++]);
      if (this.position === this.count) {
        this.passes++;
        this.reshuffle();
      }
    }
    return indices;
  }
}
