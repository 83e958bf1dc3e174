/**
 * Orders overlapping reads: each `run` starts its work at once, but only the outcome of the most
 * recently started one is delivered; an older read that finishes later is dropped, so a stale
 * snapshot can never overwrite a newer one. A rejection is delivered as an error, never left
 * unhandled.
 */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export class LatestOnly {
  private generation = 0;

  async run<T>(work: () => Promise<T>, deliver: (outcome: Outcome<T>) => void): Promise<void> {
    const generation = ++this.generation;
    let outcome: Outcome<T>;
    try {
      outcome = { ok: true, value: await work() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    if (generation === this.generation) deliver(outcome);
  }
}
