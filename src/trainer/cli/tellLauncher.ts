/**
 * Sends `message` to the process that started this one, when it did so with an IPC channel (the
 * extension, the benches); a terminal has none and reads the output instead. A launcher that is
 * gone cannot be told, and the work goes on without it.
 */
export function tellLauncher(message: object): void {
  if (process.connected && process.send) process.send(message, () => undefined);
}
