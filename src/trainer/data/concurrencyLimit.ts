/**
 * At most `limit` decodes in flight across all of a loader's streams: sharp runs on libuv's
 * thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), and queueing more than it can
 * run only delays the file reads of everything else.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
