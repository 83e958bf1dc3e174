/**
 * Where prepared run folders execute (`kd-uda train --resume <runDir>` each): child processes of
 * this machine, or jobs on a cluster. Whatever the executor, a run is followed through its folder
 * (status.json: followRuns.ts), never through a process; the executor only says what the folder
 * cannot: that a run is over although its folder never recorded an end.
 */
export interface RunExecutor {
  /**
   * Hands prepared run folders over to be run, in order; resolves once every one is handed over
   * (started, queued or submitted), not when they end. A run that cannot be handed over is
   * settled (a rejected submission), with the reason.
   */
  submit(runDirs: readonly string[]): Promise<void>;
  /**
   * Undefined while a run's folder is to be believed; once the run is over without its folder
   * recording an end (its trainer refused to start, or was killed before it wrote a state), or
   * will never start (the executor was stopped first), why.
   */
  settled(runDir: string): SettledRun | undefined;
  /** Starts no more runs and asks the running ones to stop: to finish their step, checkpoint and exit. */
  stop(): void;
}

export interface SettledRun {
  /** Whether a trainer ran for it at all: a run never started keeps whatever state its folder has. */
  started: boolean;
  reason: string;
}
