import { stat } from 'node:fs';

/**
 * The size of each file (following symbolic links), or the error that prevented reading it, in
 * input order, with at most `limit` stat calls in flight.
 *
 * This is the hot path of a scan (one call per image, to spot 0-byte files). Plain callbacks keep
 * it to one allocation per file, which `fs.promises.stat` behind async workers does not
 * (bench/scan.ts compares them). `statSync` would allocate less still, but it blocks the extension
 * host for as long as a slow disk or a network share takes to answer.
 */
export function fileSizes(paths: readonly string[], limit: number): Promise<Array<number | NodeJS.ErrnoException>> {
  return new Promise((resolve) => {
    const results = new Array<number | NodeJS.ErrnoException>(paths.length);
    if (paths.length === 0) {
      resolve(results);
      return;
    }
    let next = 0;
    let finished = 0;
    const startNext = (): void => {
      const index = next++;
      stat(paths[index], (error, stats) => {
        results[index] = error ?? stats.size;
        if (++finished === paths.length) resolve(results);
        else if (next < paths.length) startNext();
      });
    };
    for (let started = 0; started < Math.min(limit, paths.length); started++) startNext();
  });
}
