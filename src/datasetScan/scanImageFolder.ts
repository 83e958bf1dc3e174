import { yieldToEventLoop } from './abort';
import { ClassTally } from './classTally';
import { fileSizes } from './fileSizes';
import { fileSystemIssue } from './fileSystemIssue';
import { isImageFileName } from './imageFiles';
import { plural } from './issueText';
import { mapWithConcurrency } from './mapWithConcurrency';
import { isIssue, readFolder, type FolderContents, type VisitedFolder } from './readFolder';
import type { ClassSummary, DatasetIssue, DomainSummary } from './datasetSummary';
import { unexpectedFilesIssue } from './unexpectedFiles';

export interface FolderScanOptions {
  samplesPerClass: number;
  signal?: AbortSignal;
}

/**
 * In flight at once: class folders, and image stats within each (64 stats at most). With libuv's
 * 4 threads, bench/scan.ts found other splits (8 x 8, 2 x 32) no faster, and more in flight would
 * only crowd out the file access of everything else in the extension host.
 */
const CLASS_FOLDERS_IN_FLIGHT = 4;
const IMAGE_STATS_IN_FLIGHT = 16;

/**
 * Adds one folder of a class, and its sub-folders, to the tally. Images in sub-folders belong to
 * the class, as in torchvision's ImageFolder, which is also why symbolic-link loops matter here.
 */
async function tallyFolder(
  tally: ClassTally,
  folder: VisitedFolder,
  ancestors: readonly VisitedFolder[],
  relativePrefix: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  await yieldToEventLoop(signal);
  const contents = await readFolder(folder.path, ancestors);
  if (isIssue(contents)) {
    tally.addIssue(contents);
    return;
  }
  for (const issue of contents.issues) tally.addIssue(issue);
  const images = contents.files.filter((file) => isImageFileName(file.name));
  for (const file of contents.files) {
    if (!isImageFileName(file.name)) tally.addNonImage(relativePrefix + file.name, file.path);
  }
  // A stat per image is the price of spotting 0-byte files; bench/scan.ts shows it fits the budget.
  const sizes = await fileSizes(
    images.map((file) => file.path),
    IMAGE_STATS_IN_FLIGHT,
  );
  images.forEach((file, index) => {
    const size = sizes[index];
    if (typeof size === 'number') tally.addImage(relativePrefix + file.name, file.path, size);
    else tally.addIssue(fileSystemIssue(size, file.path, `read ${file.path}`));
  });
  for (const sub of contents.folders) {
    await tallyFolder(tally, sub, [...ancestors, sub], `${relativePrefix}${sub.name}/`, signal);
  }
}

async function scanClassFolder(folder: VisitedFolder, ancestors: readonly VisitedFolder[], options: FolderScanOptions): Promise<ClassSummary> {
  const tally = new ClassTally(folder.name, options.samplesPerClass);
  await tallyFolder(tally, folder, [...ancestors, folder], '', options.signal);
  return tally.summary(folder.path);
}

function emptyDomain(name: string, domainPath: string, issues: DatasetIssue[]): DomainSummary {
  return { name, path: domainPath, count: 0, classes: [], issues };
}

/**
 * `classesFolder` is the domain folder itself (ImageFolder) or its `images` folder (Office-31), in
 * which case `issues` holds what was found one level up.
 */
async function scanDomain(
  domain: VisitedFolder,
  classesFolder: VisitedFolder,
  ancestors: readonly VisitedFolder[],
  options: FolderScanOptions,
  issues: DatasetIssue[] = [],
): Promise<DomainSummary> {
  const contents = await readFolder(classesFolder.path, ancestors);
  if (isIssue(contents)) return emptyDomain(domain.name, classesFolder.path, [...issues, contents]);
  issues.push(...contents.issues, ...unexpectedFilesIssue(contents.files, classesFolder.path, 'class'));
  const classes = await mapWithConcurrency(contents.folders, CLASS_FOLDERS_IN_FLIGHT, (folder) => scanClassFolder(folder, ancestors, options));
  const count = classes.reduce((sum, entry) => sum + entry.count, 0);
  if (count === 0) {
    const why = classes.length === 0 ? 'it has no class folders' : `none of its ${plural(classes.length, 'class', 'classes')} has images`;
    issues.push({ code: 'empty-domain', message: `Domain "${domain.name}" is empty: ${why}.`, path: classesFolder.path });
  }
  return { name: domain.name, path: classesFolder.path, count, classes, issues };
}

/**
 * Office-31 keeps a domain's classes one level down, in `<domain>/images/`; anything else next to
 * images/ is left alone.
 */
async function scanOffice31Domain(domain: VisitedFolder, ancestors: readonly VisitedFolder[], options: FolderScanOptions): Promise<DomainSummary> {
  const contents = await readFolder(domain.path, ancestors);
  if (isIssue(contents)) return emptyDomain(domain.name, domain.path, [contents]);
  const images = contents.folders.find((folder) => folder.name === 'images');
  if (!images) {
    return emptyDomain(domain.name, domain.path, [
      ...contents.issues,
      { code: 'empty-domain', message: `Domain "${domain.name}" has no images/ folder, which the Office-31 layout expects.`, path: domain.path },
    ]);
  }
  return scanDomain(domain, images, [...ancestors, images], options, [...contents.issues]);
}

/**
 * Scans `<root>/<domain>/<class>/…` (ImageFolder) or `<root>/<domain>/images/<class>/…` (Office-31),
 * given the root's contents already read for layout detection. Domains go one after another; the
 * class folders within a domain go a few at a time.
 */
export async function scanImageFolder(
  root: VisitedFolder,
  rootContents: FolderContents,
  layout: 'imagefolder' | 'office31',
  options: FolderScanOptions,
): Promise<{ domains: DomainSummary[]; issues: DatasetIssue[] }> {
  const issues = unexpectedFilesIssue(rootContents.files, root.path, 'domain');
  const domains: DomainSummary[] = [];
  for (const domain of rootContents.folders) {
    const ancestors = [root, domain];
    domains.push(layout === 'office31' ? await scanOffice31Domain(domain, ancestors, options) : await scanDomain(domain, domain, ancestors, options));
  }
  return { domains, issues };
}
