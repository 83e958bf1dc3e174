import { promises as fs } from 'node:fs';
import path from 'node:path';
import { yieldToEventLoop } from './abort';
import { ClassTally } from './classTally';
import { fileSystemIssue } from './fileSystemIssue';
import { isImageFileName } from './imageFiles';
import { plural, quotedPreview } from './issueText';
import { domainNameOfListFile, parseClassNames, parseListLine, splitLines } from './listFileFormat';
import { mapWithConcurrency } from './mapWithConcurrency';
import { strayLabelIssues, type LabelUse } from './strayLabels';
import type { DatasetIssue, DomainSummary } from './datasetSummary';

export interface ListFileScanOptions {
  samplesPerClass: number;
  signal?: AbortSignal;
}

/** Beyond this many, malformed lines are counted rather than listed: a wrong file would flood the view. */
const MALFORMED_LINES_LISTED = 10;
/** Entries looked up between two turns of the event loop. */
const ENTRIES_PER_TURN = 1000;
const IMAGE_STATS_IN_FLIGHT = 16;

interface ListEntry {
  imagePath: string;
  label: number;
  line: number;
}

type Located = { path: string; size: number } | 'missing' | DatasetIssue;

/**
 * Finds a listed image: against the root first (ImageCLEF-DA paths are root-relative), then against
 * the list file's folder. Whichever base worked last is tried first, so a list of folder-relative
 * paths does not pay a failed stat per line.
 */
class ImageLocator {
  private preferred = 0;

  constructor(private readonly bases: readonly string[]) {}

  async locate(imagePath: string): Promise<Located> {
    for (let attempt = 0; attempt < this.bases.length; attempt++) {
      const index = (this.preferred + attempt) % this.bases.length;
      const candidate = path.resolve(this.bases[index], imagePath);
      try {
        const stats = await fs.stat(candidate);
        if (!stats.isFile()) continue;
        this.preferred = index;
        return { path: candidate, size: stats.size };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') return fileSystemIssue(error, candidate, `read listed image ${candidate}`);
      }
    }
    return 'missing';
  }
}

function quoteLine(text: string): string {
  const trimmed = text.trim();
  return JSON.stringify(trimmed.length > 80 ? `${trimmed.slice(0, 77)}...` : trimmed);
}

/** Reads the lines of a list file: its entries, and one issue per malformed line (up to a limit). */
function parseListFile(text: string, listFile: string): { entries: ListEntry[]; issues: DatasetIssue[] } {
  const fileName = path.basename(listFile);
  const entries: ListEntry[] = [];
  const issues: DatasetIssue[] = [];
  let unlisted = 0;
  let firstUnlisted = 0;
  splitLines(text).forEach((lineText, index) => {
    const line = index + 1;
    const parsed = parseListLine(lineText);
    if (parsed.kind === 'entry') entries.push({ imagePath: parsed.imagePath, label: parsed.label, line });
    if (parsed.kind !== 'malformed') return;
    if (issues.length < MALFORMED_LINES_LISTED) {
      issues.push({
        code: 'malformed-line',
        message: `${fileName}:${line}: expected "<path> <label>" (an image path, a space, an integer label), got ${quoteLine(lineText)}.`,
        path: listFile,
        line,
      });
    } else {
      if (unlisted === 0) firstUnlisted = line;
      unlisted++;
    }
  });
  if (unlisted > 0) {
    issues.push({
      code: 'malformed-line',
      message: `${fileName}:${firstUnlisted}: ${plural(unlisted, 'more malformed line')} from here on, not listed one by one.`,
      path: listFile,
      line: firstUnlisted,
    });
  }
  return { entries, issues };
}

/** Listed images that do not exist: one issue for the whole list file. */
class MissingImages {
  count = 0;
  firstLine = 0;
  readonly examples: string[] = [];

  add(entry: ListEntry): void {
    if (this.count === 0) this.firstLine = entry.line;
    if (this.examples.length < 5) this.examples.push(entry.imagePath);
    this.count++;
  }

  issue(listFile: string, bases: readonly string[]): DatasetIssue[] {
    if (this.count === 0) return [];
    const lookedIn = bases.join(' and then in ');
    return [
      {
        code: 'missing-image',
        message: `${plural(this.count, 'listed image')} not found (looked in ${lookedIn}): ${quotedPreview(this.examples, this.count)}.`,
        path: listFile,
        line: this.firstLine,
      },
    ];
  }
}

/** Labels that `classes.txt` does not name; they are shown as numbers. */
function unknownLabelIssue(labels: ReadonlyMap<number, number>, namedCount: number, listFile: string): DatasetIssue[] {
  if (labels.size === 0) return [];
  const sorted = [...labels.keys()].sort((a, b) => a - b);
  return [
    {
      code: 'unknown-label',
      message: `${plural(sorted.length, 'label')} beyond the ${plural(namedCount, 'class name')} given: ${quotedPreview(sorted.map(String), sorted.length, 10)}; shown as numbers.`,
      path: listFile,
      line: Math.min(...labels.values()),
    },
  ];
}

async function scanListFile(
  root: string,
  listFile: string,
  domainName: string,
  classNames: readonly string[] | undefined,
  options: ListFileScanOptions,
  labelUses: Map<number, LabelUse>,
): Promise<DomainSummary> {
  let text: string;
  try {
    text = await fs.readFile(listFile, 'utf8');
  } catch (error) {
    return { name: domainName, path: listFile, count: 0, classes: [], issues: [fileSystemIssue(error, listFile, `read list file ${listFile}`)] };
  }
  const { entries, issues } = parseListFile(text, listFile);
  const bases = [...new Set([root, path.dirname(listFile)])];
  const locator = new ImageLocator(bases);
  const missing = new MissingImages();
  const unknownLabels = new Map<number, number>();
  const tallies = new Map<string, ClassTally>();
  const tallyOf = (entry: ListEntry): ClassTally => {
    const use = labelUses.get(entry.label);
    if (use) use.lines++;
    else labelUses.set(entry.label, { label: entry.label, lines: 1, listFile, firstLine: entry.line });
    let name = classNames?.[entry.label];
    if (classNames && name === undefined && !unknownLabels.has(entry.label)) unknownLabels.set(entry.label, entry.line);
    name ??= String(entry.label);
    let tally = tallies.get(name);
    if (!tally) tallies.set(name, (tally = new ClassTally(name, options.samplesPerClass)));
    return tally;
  };

  for (let start = 0; start < entries.length; start += ENTRIES_PER_TURN) {
    await yieldToEventLoop(options.signal);
    const chunk = entries.slice(start, start + ENTRIES_PER_TURN);
    const located = await mapWithConcurrency(chunk, IMAGE_STATS_IN_FLIGHT, (entry) =>
      isImageFileName(entry.imagePath) ? locator.locate(entry.imagePath) : Promise.resolve(undefined),
    );
    chunk.forEach((entry, index) => {
      const tally = tallyOf(entry);
      const found = located[index];
      if (found === undefined) tally.addNonImage(entry.imagePath, path.resolve(root, entry.imagePath));
      else if (found === 'missing') missing.add(entry);
      else if ('code' in found) tally.addIssue(found);
      else tally.addImage(entry.imagePath, found.path, found.size);
    });
  }

  const classes = [...tallies.values()].map((tally) => tally.summary(listFile));
  const count = classes.reduce((sum, entry) => sum + entry.count, 0);
  issues.push(...missing.issue(listFile, bases), ...unknownLabelIssue(unknownLabels, classNames?.length ?? 0, listFile));
  if (count === 0) issues.push({ code: 'empty-domain', message: `Domain "${domainName}" lists no readable images.`, path: listFile });
  return { name: domainName, path: listFile, count, classes, issues };
}

/**
 * Two list files may strip to the same domain name (`b.txt`, `bList.txt`); they then keep their
 * whole base names, so no domain silently hides another.
 */
function domainNames(listFiles: readonly string[]): string[] {
  const stripped = listFiles.map((file) => domainNameOfListFile(path.basename(file)));
  return stripped.map((name, index) => (stripped.indexOf(name) === stripped.lastIndexOf(name) ? name : path.basename(listFiles[index]).replace(/\.txt$/i, '')));
}

/** Scans list files (ImageCLEF-DA style); each is a domain, and classes are its labels. */
export async function scanListFiles(
  root: string,
  listFiles: readonly string[],
  classNamesFile: string | undefined,
  options: ListFileScanOptions,
): Promise<{ domains: DomainSummary[]; issues: DatasetIssue[] }> {
  const issues: DatasetIssue[] = [];
  let classNames: string[] | undefined;
  if (classNamesFile) {
    try {
      classNames = parseClassNames(await fs.readFile(classNamesFile, 'utf8'));
    } catch (error) {
      issues.push(fileSystemIssue(error, classNamesFile, `read class names ${classNamesFile}`));
    }
  }
  const names = domainNames(listFiles);
  const domains: DomainSummary[] = [];
  const labelUses = new Map<number, LabelUse>();
  for (const [index, listFile] of listFiles.entries()) {
    domains.push(await scanListFile(root, listFile, names[index], classNames, options, labelUses));
  }
  if (!classNames) {
    for (const issue of strayLabelIssues([...labelUses.values()])) domains.find((domain) => domain.path === issue.path)?.issues.push(issue);
  }
  return { domains, issues };
}
