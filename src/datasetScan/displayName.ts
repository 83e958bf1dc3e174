import path from 'node:path';

const SPLIT_FOLDERS = new Set(['train', 'test', 'val', 'valid', 'validation', 'training', 'testing']);

/**
 * A short name for a dataset root: its folder name, or `parent/split` when the folder is only a
 * split (`digits/train` and `digits/test` would otherwise both read as a bare split name).
 */
export function datasetDisplayName(root: string): string {
  const base = path.basename(root);
  if (!base) return root;
  if (!SPLIT_FOLDERS.has(base.toLowerCase())) return base;
  const parent = path.basename(path.dirname(root));
  return parent ? `${parent}/${base}` : base;
}
