/** A command refused before any work: bad arguments, or an experiment (or what it names) to fix; exit 2, the message says what. */
export class UsageError extends Error {}
