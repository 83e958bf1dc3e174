import path from 'node:path';

/**
 * The dataset root an experiment file names (`data.root`), resolved against the file's folder.
 * Undefined when the file is not valid JSON or names no root: the Datasets view skips it and the
 * experiment's own diagnostics report the problem.
 */
export function datasetRootOfExperiment(text: string, experimentPath: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  const root = (data as { root?: unknown } | null | undefined)?.root;
  if (typeof root !== 'string' || root.trim() === '') return undefined;
  return path.resolve(path.dirname(experimentPath), root);
}
