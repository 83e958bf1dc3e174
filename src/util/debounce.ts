/**
 * Collapses a burst of triggers into one call after `delayMs` of quiet, so that copying 10k files
 * into a watched folder costs one rescan rather than 10k. Keys keep bursts on different dataset
 * roots independent. With `maxWaitMs`, a burst that never goes quiet (a trainer appending a step
 * event every 100 ms) still fires at least that often, so a view following it does not stall.
 */
export class KeyedDebouncer<K> {
  private readonly quietTimers = new Map<K, ReturnType<typeof setTimeout>>();
  private readonly burstTimers = new Map<K, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly delayMs: number,
    private readonly fire: (key: K) => void,
    private readonly maxWaitMs?: number,
  ) {}

  trigger(key: K): void {
    const pending = this.quietTimers.get(key);
    if (pending !== undefined) clearTimeout(pending);
    this.quietTimers.set(
      key,
      setTimeout(() => this.flush(key), this.delayMs),
    );
    if (this.maxWaitMs !== undefined && !this.burstTimers.has(key))
      this.burstTimers.set(
        key,
        setTimeout(() => this.flush(key), this.maxWaitMs),
      );
  }

  private flush(key: K): void {
    clearTimeout(this.quietTimers.get(key));
    clearTimeout(this.burstTimers.get(key));
    this.quietTimers.delete(key);
    this.burstTimers.delete(key);
    this.fire(key);
  }

  dispose(): void {
    for (const timer of [...this.quietTimers.values(), ...this.burstTimers.values()]) clearTimeout(timer);
    this.quietTimers.clear();
    this.burstTimers.clear();
  }
}
