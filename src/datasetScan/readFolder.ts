import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileSystemIssue } from './fileSystemIssue';
import { isIgnoredName } from './imageFiles';
import { mapWithConcurrency } from './mapWithConcurrency';
import type { DatasetIssue } from './datasetSummary';

/** A folder on the path being walked, identified by device and inode so links to it are recognised. */
export interface VisitedFolder {
  name: string;
  path: string;
  /** `dev:ino` of the folder a path (or symbolic link) leads to. */
  identity: string;
}

export interface FolderFile {
  name: string;
  path: string;
}

export interface FolderContents {
  /** Sub-folders, symbolic links to folders included, sorted by name. */
  folders: VisitedFolder[];
  /** Files (and links to files), sorted by name; hidden entries and OS clutter are left out. */
  files: FolderFile[];
  /** Symbolic link loops and broken links found among the entries. */
  issues: DatasetIssue[];
}

/** Sub-folders and links need a stat each; few per folder, so a small bound suffices. */
const STATS_IN_FLIGHT = 16;

export function identityOf(stats: { dev: number; ino: number }): string {
  return `${stats.dev}:${stats.ino}`;
}

/** `path.join` normalises every call, which a 100,000-file scan notices; names from readdir need none. */
function childPath(folder: string, name: string): string {
  return folder.endsWith(path.sep) ? folder + name : folder + path.sep + name;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Lists a folder, following symbolic links. A link that leads back to a folder on the walked path
 * (`ancestors`, which ends with `folder` itself) would make the walk endless, so it becomes a
 * `symlink-loop` issue instead of a sub-folder; a link to a sibling is followed (it is not a loop).
 * Never throws for file-system errors: an unreadable folder is returned as its issue.
 */
export async function readFolder(folder: string, ancestors: readonly VisitedFolder[]): Promise<FolderContents | DatasetIssue> {
  let entries;
  try {
    entries = await fs.readdir(folder, { withFileTypes: true });
  } catch (error) {
    return fileSystemIssue(error, folder, `read folder ${folder}`);
  }
  const folders: VisitedFolder[] = [];
  const files: FolderFile[] = [];
  const issues: DatasetIssue[] = [];
  const needStat: string[] = [];
  for (const entry of entries) {
    if (isIgnoredName(entry.name)) continue;
    if (entry.isFile()) files.push({ name: entry.name, path: childPath(folder, entry.name) });
    else if (entry.isDirectory() || entry.isSymbolicLink()) needStat.push(entry.name);
    // Sockets, pipes and devices are not data; they are skipped like hidden files.
  }
  await mapWithConcurrency(needStat, STATS_IN_FLIGHT, async (name) => {
    const entryPath = childPath(folder, name);
    let stats;
    try {
      stats = await fs.stat(entryPath);
    } catch (error) {
      issues.push(fileSystemIssue(error, entryPath, `follow ${entryPath}`));
      return;
    }
    if (stats.isFile()) {
      files.push({ name, path: entryPath });
    } else if (stats.isDirectory()) {
      const identity = identityOf(stats);
      const ancestor = ancestors.find((visited) => visited.identity === identity);
      if (ancestor) {
        issues.push({
          code: 'symlink-loop',
          message: `"${name}" is a symbolic link back to ${ancestor.path}, a folder that contains it; not followed.`,
          path: entryPath,
        });
      } else {
        folders.push({ name, path: entryPath, identity });
      }
    }
  });
  folders.sort(byName);
  files.sort(byName);
  issues.sort((a, b) => byName({ name: a.path ?? '' }, { name: b.path ?? '' }));
  return { folders, files, issues };
}

/** Tells a result from the issue returned in its place (results here never have a `code`). */
export function isIssue<T extends object>(value: T | DatasetIssue): value is DatasetIssue {
  return 'code' in value;
}
