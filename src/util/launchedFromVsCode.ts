/**
 * Set by the extension on every trainer it starts. The trainer's hints are then read in VS Code (a
 * notification, the run's output channel), where a palette command is the way to act on them, not
 * a terminal where a script or CLI command is.
 */
export const LAUNCHED_FROM_VSCODE_ENV = 'KDUDA_LAUNCHED_FROM_VSCODE';

/** Whether this process was started by the extension (see LAUNCHED_FROM_VSCODE_ENV). */
export function launchedFromVsCode(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[LAUNCHED_FROM_VSCODE_ENV] === '1';
}
