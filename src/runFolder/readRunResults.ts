import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunResults } from './results';
import { RUN_FILES, RUN_FORMAT_VERSION } from './runFolderFormat';
import { meanOverTargets, readAccuracy } from './targetAccuracy';

/** One model's headline (last epoch) accuracy per target and their mean, and its costs when recorded. */
export interface ModelHeadline {
  role: string;
  /** Absent when results.json records none for the model: never a made-up 0. */
  meanTarget?: number;
  targets: { domain: string; accuracy: number }[];
  parameters?: number;
  macsPerImage?: number;
}

export type RunResultsReading = { kind: 'none' } | { kind: 'problem'; message: string } | { kind: 'results'; epoch: number; models: ModelHeadline[] };

/** Teachers first, then the student, as the papers' tables read. */
function roleOrder(role: string): number {
  return role.startsWith('teacher') ? 0 : role === 'student' ? 1 : 2;
}

/**
 * The headline table of a finished run, from its results.json. A run without results yet is
 * `none`; an unreadable or newer file is a `problem` with the reason, never a guess.
 */
export async function readRunResults(runDir: string): Promise<RunResultsReading> {
  const file = path.join(runDir, RUN_FILES.results);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { kind: 'none' };
  }
  let results: RunResults;
  try {
    results = JSON.parse(text) as RunResults;
  } catch (error) {
    return { kind: 'problem', message: `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof results.version === 'number' && results.version > RUN_FORMAT_VERSION) {
    return { kind: 'problem', message: `${file} has format version ${results.version}; this KD-UDA Lab reads up to ${RUN_FORMAT_VERSION}. Update the extension.` };
  }
  const headline = results.headline;
  if (!headline || typeof headline.accuracy !== 'object' || !Array.isArray(results.targets)) return { kind: 'problem', message: `${file}: no "headline" table` };
  const models = Object.entries(readAccuracy(headline.accuracy) ?? {})
    .map(([role, byDomain]) => {
      // The trainer's own mean; without one, the shared definition over the targets with a value (maybe none).
      const recorded: unknown = headline.meanTarget?.[role];
      const mean = typeof recorded === 'number' && Number.isFinite(recorded) ? recorded : meanOverTargets(byDomain, results.targets);
      const cost = results.costs?.[role];
      return {
        role,
        ...(mean === undefined ? {} : { meanTarget: mean }),
        targets: results.targets.map((domain) => ({ domain, accuracy: typeof byDomain[domain] === 'number' ? byDomain[domain] : Number.NaN })),
        ...(cost ? { parameters: cost.parameters, macsPerImage: cost.macsPerImage } : {}),
      };
    })
    .sort((a, b) => roleOrder(a.role) - roleOrder(b.role) || a.role.localeCompare(b.role));
  return { kind: 'results', epoch: headline.epoch, models };
}
