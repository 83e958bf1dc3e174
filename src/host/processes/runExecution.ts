import type * as vscode from 'vscode';

/** How an execution ended: a local trainer's exit, or a Slurm job's last state. */
export interface ExecutionEnd {
  /** 0 when the trainer ended the run itself (done, stopped, requeued): the run folder says which. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the run printed (its process output or its job log), for error messages. */
  tail: string[];
  /** Where the run executed went wrong in words, when the executor knows (a Slurm job's final state). */
  reason?: string;
}

/**
 * One run executing somewhere: a trainer child process here, or a Slurm job. The host follows the
 * run itself through its run folder; an execution only says how to stop it, what it prints, and
 * when it is over.
 */
export interface RunExecution extends vscode.Disposable {
  /** In words, for tooltips and messages: `pid 4242`, `Slurm job 17_3`. */
  readonly where: string;
  /** A trainer process on this machine: its pid, so its own events in the run folder can be told apart. */
  readonly pid?: number;
  /** Every line of output, as it comes. */
  readonly onLine: vscode.Event<string>;
  /** What a local trainer tells its launcher over IPC (never for a Slurm job). */
  readonly onMessage: vscode.Event<unknown>;
  /** Resolves once, when the execution is over. */
  readonly exit: Promise<ExecutionEnd>;
  /** Asks the run to checkpoint and stop; resolves when the execution is over. */
  stop(): Promise<ExecutionEnd>;
}
