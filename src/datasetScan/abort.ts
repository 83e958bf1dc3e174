/**
 * How a scan reacts to its AbortSignal. A superseded scan must stop quickly (the Datasets view
 * aborts one per burst of file changes), so every folder visit checks the signal.
 */

/** The only way `scanDataset` rejects: it was aborted. */
export class ScanAbortedError extends Error {
  override readonly name = 'AbortError';
  readonly code = 'ABORT_ERR';

  constructor(reason: unknown) {
    super('Dataset scan aborted', { cause: reason });
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ScanAbortedError(signal.reason);
}

/**
 * Gives the event loop a turn. The scan runs in the extension host next to every other extension,
 * so it must never hold the thread for more than one folder's worth of work.
 */
export function yieldToEventLoop(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    setImmediate(() => {
      if (signal?.aborted) reject(new ScanAbortedError(signal.reason));
      else resolve();
    });
  });
}
