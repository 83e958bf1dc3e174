import type { Batch } from './samples';

/**
 * Keeps `depth` batches being assembled ahead of the consumer, so decoding (on libuv's threads)
 * overlaps the training step that uses the previous batch and training never waits on data.
 * `assemble(k)` must take whatever it draws at random synchronously, before its first await:
 * batch k is then the same however fast earlier batches finish.
 */
export class PrefetchLoader {
  private readonly queue: Promise<Batch>[] = [];
  private nextIndex: number;

  constructor(
    private readonly assemble: (index: number) => Promise<Batch>,
    private readonly depth: number,
    private readonly total = Number.POSITIVE_INFINITY,
    firstIndex = 0,
  ) {
    if (!(depth >= 1)) throw new Error(`prefetch depth must be at least 1, got ${depth}.`);
    this.nextIndex = firstIndex;
    this.fill();
  }

  private fill(): void {
    while (this.queue.length < this.depth && this.nextIndex < this.total) {
      const batch = this.assemble(this.nextIndex++);
      // A batch that fails while queued is reported when it is taken, not as an unhandled rejection.
      batch.catch(() => undefined);
      this.queue.push(batch);
    }
  }

  /** The next batch, or undefined once a finite loader is done. */
  async next(): Promise<Batch | undefined> {
    const batch = this.queue.shift();
    if (!batch) return undefined;
    this.fill();
    return batch;
  }
}
