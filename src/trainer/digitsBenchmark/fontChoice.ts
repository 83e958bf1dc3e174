import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Canvas } from './canvasModule';
import { filterLegibleFonts, type FontFile, type FontVerdicts } from './fontFilter';

/** Bumped when the filter's rules change, so cached verdicts are not reused. */
const FILTER_VERSION = 3;

/**
 * The legible fonts among the candidates, remembered in the cache: the filter draws every digit
 * of every font (seconds for a thousand fonts), and its verdict only changes with the files.
 */
export async function chooseLegibleFonts(canvas: Canvas, candidates: readonly FontFile[], cacheFolder: string): Promise<FontVerdicts> {
  const hash = createHash('sha1').update(String(FILTER_VERSION));
  for (const font of candidates) hash.update(`${font.file}\u0000${(await fs.stat(font.file)).size}\n`);
  const cacheFile = path.join(cacheFolder, 'font-verdicts', `${hash.digest('hex')}.json`);
  if (existsSync(cacheFile)) return JSON.parse(await fs.readFile(cacheFile, 'utf8')) as FontVerdicts;
  const verdicts = await filterLegibleFonts(canvas, candidates);
  await fs.mkdir(path.dirname(cacheFile), { recursive: true });
  await fs.writeFile(cacheFile, JSON.stringify(verdicts, null, 1));
  return verdicts;
}
