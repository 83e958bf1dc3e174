/**
 * Calls `probe` until it gives something other than undefined or false, and returns that. A probe
 * that throws is called again: its error says why the state is not there yet, and the last one is
 * in the timeout's message, so a probe can throw to report what it saw. Probes once more after
 * the deadline, so a slow probe still gets its last look. Pure (no VS Code, no Playwright): the
 * unit, integration (inside the extension host) and e2e tests and the benchmarks all use it.
 */
import { inspect } from 'node:util';

export async function poll<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last: ${lastError instanceof Error ? lastError.message : inspect(lastError)})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
