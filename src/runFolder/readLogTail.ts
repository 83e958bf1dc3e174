import { open } from 'node:fs/promises';
import path from 'node:path';
import { RUN_FILES } from './runFolderFormat';

/** Enough for a few lines of a log, however long the log has grown. */
const TAIL_BYTES = 8192;

/**
 * The last `count` non-empty lines of a run's trainer.log (what it did just before it ended), read
 * from the end of the file only; none when there is no log. The frames of a stack the log keeps
 * under an unexpected failure are left out: they say where, not what, and would fill the tail.
 */
export async function readLogTail(runDir: string, count: number): Promise<string[]> {
  let handle;
  try {
    handle = await open(path.join(runDir, RUN_FILES.log), 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const lines = buffer
      .toString('utf8')
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '' && !/^\s+at\s/.test(line));
    // A read that starts mid-file starts mid-line: that first piece is not a whole line.
    return (start > 0 ? lines.slice(1) : lines).slice(-count);
  } finally {
    await handle.close();
  }
}
