import type { BackendName, SkippedRung } from './backendTypes';

/** A backend that was asked for and cannot be had: names every rung tried, why, and the fix. */
export class BackendError extends Error {
  constructor(
    message: string,
    readonly tried: SkippedRung[] = [],
  ) {
    super(tried.length === 0 ? message : `${message}\n${tried.map(describeAttempt).join('\n')}`);
    this.name = 'BackendError';
  }
}

export function describeAttempt(attempt: SkippedRung): string {
  return `  - ${attempt.name}: ${attempt.reason}\n    fix: ${attempt.fix}`;
}

/**
 * Why one rung failed to start, with the fix for that cause. `notInstalled`: the rung's package is
 * simply absent (not broken), which `auto` passes over without advice (see describeBackend).
 */
export class RungFailure extends Error {
  constructor(
    readonly rung: BackendName,
    reason: string,
    readonly fix: string,
    readonly notInstalled = false,
  ) {
    super(reason);
    this.name = 'RungFailure';
  }
}
