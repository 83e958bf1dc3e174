import { mkdir } from 'node:fs/promises';
import path from 'node:path';

function stamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

/**
 * Creates a new run folder `<runsDir>/<yyyymmdd-hhmmss>-<name>` and returns its id. Two runs
 * started in the same second get `-2`, `-3`…: mkdir without `recursive` fails if the folder
 * exists, which makes the claim atomic even across processes.
 */
export async function createRunFolder(runsDir: string, name: string, now = new Date()): Promise<{ runId: string; dir: string }> {
  await mkdir(runsDir, { recursive: true });
  const base = `${stamp(now)}-${name.replace(/[^A-Za-z0-9._-]+/g, '-')}`;
  for (let attempt = 1; ; attempt++) {
    const runId = attempt === 1 ? base : `${base}-${attempt}`;
    const dir = path.join(runsDir, runId);
    try {
      await mkdir(dir);
      return { runId, dir };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 1000) throw error;
    }
  }
}
