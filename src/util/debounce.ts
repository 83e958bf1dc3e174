/**
 * Collapses a burst of triggers into one call after `delayMs` of quiet, so that copying 10k files
 * into a watched folder costs one rescan rather than 10k. Keys keep bursts on different dataset
 * roots independent.
 */
export class KeyedDebouncer<K> {
  private readonly timers = new Map<K, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly delayMs: number,
    private readonly fire: (key: K) => void,
  ) {}

  trigger(key: K): void {
    const pending = this.timers.get(key);
    if (pending !== undefined) clearTimeout(pending);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.fire(key);
      }, this.delayMs),
    );
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
