import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ScanAbortedError, throwIfAborted } from './abort';
import { reconcileClasses } from './classConsistency';
import { detectLayout } from './detectLayout';
import { fileSystemIssue } from './fileSystemIssue';
import { identityOf, isIssue, readFolder, type VisitedFolder } from './readFolder';
import { scanIdx } from './scanIdx';
import { scanImageFolder } from './scanImageFolder';
import { scanListFiles } from './scanListFiles';
import type { DatasetIssue, DatasetLayout, DatasetSummary, DomainSummary } from './datasetSummary';

export interface ScanOptions {
  /** Image paths kept per class for thumbnails; 4 unless given. */
  samplesPerClass?: number;
  /** Aborting makes the scan reject with an AbortError (`ScanAbortedError`). */
  signal?: AbortSignal;
}

interface ScanResult {
  layout?: DatasetLayout;
  domains: DomainSummary[];
  issues: DatasetIssue[];
}

function failed(issue: DatasetIssue): ScanResult {
  return { domains: [], issues: [issue] };
}

async function statRoot(root: string): Promise<VisitedFolder | DatasetIssue> {
  let stats;
  try {
    stats = await fs.stat(root);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return { code: 'missing-root', message: `The dataset root ${root} does not exist.`, path: root };
    }
    return fileSystemIssue(error, root, `open the dataset root ${root}`);
  }
  if (!stats.isDirectory()) {
    return { code: 'not-a-directory', message: `The dataset root ${root} is a file; a dataset root must be a folder.`, path: root };
  }
  return { name: path.basename(root), path: root, identity: identityOf(stats) };
}

async function scanRoot(root: string, samplesPerClass: number, signal: AbortSignal | undefined): Promise<ScanResult> {
  const rootFolder = await statRoot(root);
  if (isIssue(rootFolder)) return failed(rootFolder);
  const contents = await readFolder(root, [rootFolder]);
  if (isIssue(contents)) return failed(contents);
  throwIfAborted(signal);
  const detected = await detectLayout(rootFolder, contents);
  throwIfAborted(signal);
  const options = { samplesPerClass, signal };
  switch (detected.layout) {
    case undefined:
      return { domains: [], issues: [...contents.issues, detected.issue] };
    case 'idx':
      return { layout: 'idx', domains: await scanIdx(root, detected.idxFileNames), issues: contents.issues };
    case 'listfile': {
      const scanned = await scanListFiles(root, detected.listFiles, detected.classNamesFile, options);
      return { layout: 'listfile', domains: scanned.domains, issues: [...contents.issues, ...scanned.issues] };
    }
    default: {
      const scanned = await scanImageFolder(rootFolder, contents, detected.layout, options);
      return { layout: detected.layout, domains: scanned.domains, issues: [...contents.issues, ...scanned.issues] };
    }
  }
}

/**
 * Counts a dataset's domains, classes and images, and finds what is wrong with it. Pure Node (no
 * `vscode`), so the trainer shares it. Bad data never throws: every problem is an issue on the
 * root, domain or class it concerns. It rejects only when `signal` aborts it.
 */
export async function scanDataset(root: string, options: ScanOptions = {}): Promise<DatasetSummary> {
  const { samplesPerClass = 4, signal } = options;
  throwIfAborted(signal);
  let result: ScanResult;
  try {
    result = await scanRoot(path.resolve(root), samplesPerClass, signal);
  } catch (error) {
    if (error instanceof ScanAbortedError) throw error;
    // Every expected failure is already an issue; this keeps the promise of never rejecting
    // for data even if a file system misbehaves in a way nobody foresaw.
    const detail = error instanceof Error ? error.message : String(error);
    result = failed({ code: 'unreadable', message: `The scan failed unexpectedly: ${detail}`, path: root });
  }
  throwIfAborted(signal);
  const domains = result.domains.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const classNames = reconcileClasses(domains);
  return {
    root,
    layout: result.layout,
    count: domains.reduce((sum, domain) => sum + domain.count, 0),
    domains,
    classNames,
    issues: result.issues,
  };
}
