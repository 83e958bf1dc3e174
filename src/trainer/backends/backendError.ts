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

/** Why one rung failed to start, with the fix for that cause. */
export class RungFailure extends Error {
  constructor(
    readonly rung: BackendName,
    reason: string,
    readonly fix: string,
  ) {
    super(reason);
    this.name = 'RungFailure';
  }
}
