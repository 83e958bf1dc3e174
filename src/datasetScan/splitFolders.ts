import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Names a dataset's own test split goes by, in the order they are looked for. */
const TEST_FOLDER_NAMES = ['test', 'val', 'validation'];

export interface SplitFolders {
  train: string;
  test: string;
}

async function isFolder(candidate: string): Promise<boolean> {
  try {
    return (await fs.stat(candidate)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A dataset that comes with its own split holds two datasets of the same layout side by side:
 * `<root>/train/` and `<root>/test/` (or `val/`, `validation/`), as the Digits benchmark writes.
 */
export async function findSplitFolders(root: string): Promise<SplitFolders | undefined> {
  const train = path.join(root, 'train');
  if (!(await isFolder(train))) return undefined;
  for (const name of TEST_FOLDER_NAMES) {
    const test = path.join(root, name);
    if (await isFolder(test)) return { train, test };
  }
  return undefined;
}
