/**
 * How the Slurm executor runs Slurm's commands (sbatch, squeue, sacct, scontrol, scancel): one
 * injectable function, so the host, the trainer and tests share it and a test can count the
 * commands a poll issues. The commands are local: on a cluster the extension runs on a login node
 * (Remote-SSH), where they are on PATH.
 */
import { execFile } from 'node:child_process';

export interface SlurmCommandResult {
  /** The exit status; null when the command was killed (its time ran out). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export type SlurmCommandRunner = (command: string, args: readonly string[]) => Promise<SlurmCommandResult>;

/** A Slurm command that could not run or that failed; the message carries Slurm's own words. */
export class SlurmCommandError extends Error {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
    this.name = 'SlurmCommandError';
  }
}

/**
 * Runs Slurm commands as child processes with `env` (SLURM_CONF, PATH). A client that cannot
 * reach its controller retries for a minute or more: `timeoutMs` bounds that, and the command then
 * counts as failed.
 */
export function slurmCommandRunner(env: NodeJS.ProcessEnv = process.env, timeoutMs = 30_000): SlurmCommandRunner {
  return (command, args) =>
    new Promise((resolve, reject) => {
      execFile(command, [...args], { env, timeout: timeoutMs, maxBuffer: 64 * 2 ** 20, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(
            new SlurmCommandError(
              `${command} is not on PATH: the Slurm executor runs Slurm's commands on this machine (a cluster's login node, e.g. through Remote-SSH), and this one has no Slurm client`,
              command,
            ),
          );
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr: error && code === null ? `${stderr}${command} did not answer within ${timeoutMs / 1000} s` : stderr });
      });
    });
}

/** Slurm's own message from a failed command: its stderr (`sbatch: error: ...`), else its stdout. */
export function slurmMessage(result: SlurmCommandResult): string {
  return (result.stderr.trim() || result.stdout.trim() || `exit status ${String(result.code)}`).replace(/\s*\n\s*/g, '; ');
}
