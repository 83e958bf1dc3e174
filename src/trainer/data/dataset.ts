import path from 'node:path';
import { sortClassNames } from '../../datasetScan/classConsistency';
import { listDatasetSamples, type DatasetListing, type DomainListing } from '../../datasetScan/listSamples';
import { LAYOUT_LABELS, type DatasetIssue, type DatasetLayout, type DomainSummary } from '../../datasetScan/datasetSummary';
import { DataError, type DataErrorProblem } from './dataError';
import { readIdxImages, readIdxLabels } from './idxReader';
import { findSplitFolders } from '../../datasetScan/splitFolders';
import { splitCoverageProblems } from './splitCoverage';
import { holdOut, type SplitSpec } from './splits';
import type { DataProblemSink, DomainSplits, Sample } from './samples';

/** Which data a run trains on: the `data` part of an experiment, resolved. */
export interface DataSelection {
  /** Absolute, or relative to the working directory. */
  root: string;
  /** `auto` (or left out) accepts whatever layout the root has. */
  layout?: 'auto' | DatasetLayout;
  source: string;
  targets: readonly string[];
  split: SplitSpec;
  seed: number;
}

export interface LoadedDataset {
  root: string;
  layout: DatasetLayout;
  /** Label k is classNames[k]; the same for every domain. */
  classNames: string[];
  source: DomainSplits;
  targets: DomainSplits[];
}

function describeIssue(issue: DatasetIssue): string {
  if (!issue.path) return issue.message;
  const where = issue.line !== undefined ? `${issue.path}:${issue.line}` : issue.path;
  return issue.message.includes(issue.path) ? issue.message : `${issue.message} (${where})`;
}

function quoted(names: readonly string[]): string {
  return names.map((name) => JSON.stringify(name)).join(', ');
}

/** The listing of one root with its domains by name, or the problems that make it unusable. */
class CheckedListing {
  readonly domains = new Map<string, { summary: DomainSummary; listing?: DomainListing }>();

  constructor(readonly listing: DatasetListing) {
    for (const summary of listing.summary.domains) {
      this.domains.set(summary.name, { summary, listing: listing.domains.find((domain) => domain.name === summary.name) });
    }
  }

  /** A root without a layout (missing, not a folder, unreadable, unknown layout) says why in its issues. */
  rootProblems(expectedLayout: DataSelection['layout']): DataErrorProblem[] {
    const { summary } = this.listing;
    if (!summary.layout) return summary.issues.map((issue) => ({ field: 'data.root', message: describeIssue(issue) }));
    if (expectedLayout && expectedLayout !== 'auto' && expectedLayout !== summary.layout) {
      return [
        {
          field: 'data.layout',
          message: `is "${expectedLayout}" (${LAYOUT_LABELS[expectedLayout]}), but ${summary.root} is laid out as ${LAYOUT_LABELS[summary.layout]} ("${summary.layout}"); set it to "${summary.layout}" or "auto".`,
        },
      ];
    }
    return [];
  }
}

/**
 * Checks that every selected domain exists, holds images, and that all of them share one class
 * set; returns the sorted class names. Problems go into `problems`; warnings (bad list lines,
 * skipped files, empty classes in a target) go to `onProblem`.
 */
function checkDomains(listings: readonly CheckedListing[], selection: DataSelection, problems: DataErrorProblem[], onProblem: DataProblemSink): string[] {
  const wanted = [selection.source, ...selection.targets];
  const duplicates = wanted.filter((name, index) => wanted.indexOf(name) !== index);
  if (duplicates.length > 0)
    problems.push({ field: 'data.targets', message: `must differ from each other and from data.source; repeated: ${quoted([...new Set(duplicates)])}.` });
  const classSets: { field: string; where: string; names: Set<string> }[] = [];
  for (const checked of listings) {
    const root = checked.listing.summary.root;
    for (const issue of checked.listing.summary.issues)
      onProblem({ code: 'dataset-warning', message: describeIssue(issue), path: issue.path, line: issue.line });
    for (const name of new Set(wanted)) {
      // The first place the file names the domain: its line is where the fix goes.
      const field = name === selection.source ? 'data.source' : `data.targets[${selection.targets.indexOf(name)}]`;
      const domain = checked.domains.get(name);
      if (!domain) {
        problems.push({ field, message: `no domain "${name}" in ${root}; its domains are ${quoted([...checked.domains.keys()]) || 'none'}.` });
        continue;
      }
      const { summary } = domain;
      if (summary.count === 0) {
        const why = summary.issues.map(describeIssue).join(' ');
        problems.push({ field, message: `domain "${name}" (${summary.path}) has no readable images.${why ? ` ${why}` : ''}` });
        continue;
      }
      classSets.push({ field, where: `domain "${name}" in ${root}`, names: new Set(summary.classes.map((entry) => entry.name)) });
      for (const issue of summary.issues) {
        if (issue.code !== 'class-mismatch')
          onProblem({ code: 'dataset-warning', message: describeIssue(issue), domain: name, path: issue.path, line: issue.line });
      }
      for (const entry of summary.classes) {
        if (entry.count === 0 && name === selection.source) {
          problems.push({
            field,
            message: `Class "${entry.name}" of the source domain "${name}" has no images (${path.join(summary.path, entry.name)}): the model cannot learn a class it never sees.`,
          });
        }
        for (const issue of entry.issues)
          onProblem({ code: 'dataset-warning', message: describeIssue(issue), domain: name, path: issue.path, line: issue.line });
      }
    }
  }
  const union = sortClassNames(classSets.flatMap((set) => [...set.names]));
  for (const { field, where, names } of classSets) {
    const missing = union.filter((name) => !names.has(name));
    if (missing.length > 0)
      problems.push({
        field,
        message: `Class sets differ: ${where} lacks ${missing.length === 1 ? 'class' : 'classes'} ${quoted(missing)} that other selected domains have.`,
      });
  }
  return union;
}

async function samplesOf(listing: DomainListing, classIndex: ReadonlyMap<string, number>): Promise<Sample[]> {
  if (listing.kind === 'images') {
    return listing.classes.flatMap((entry) =>
      entry.paths.map((file): Sample => ({ source: { kind: 'file', path: file }, label: classIndex.get(entry.name)!, key: file })),
    );
  }
  const [images, labels] = await Promise.all([readIdxImages(listing.images), readIdxLabels(listing.labels)]);
  const samples: Sample[] = [];
  for (let index = 0; index < images.count; index++) {
    samples.push({ source: { kind: 'idx', images, index }, label: classIndex.get(String(labels[index]))!, key: `${images.path}#${index}` });
  }
  return samples;
}

async function listRoot(root: string, signal: AbortSignal | undefined): Promise<CheckedListing> {
  return new CheckedListing(await listDatasetSamples(root, { signal }));
}

/**
 * Reads a dataset root into per-domain training and test samples for the source and the targets,
 * through the same scanning code as the Datasets view. Throws a DataError listing every problem
 * that stops training (missing root, unknown or unexpected layout, unknown domains, differing
 * class sets, empty domains, empty source classes, a split that leaves a domain or a class without
 * test images or a source class without training images); reports the rest to `onProblem`.
 */
export async function loadDataset(selection: DataSelection, options: { onProblem?: DataProblemSink; signal?: AbortSignal } = {}): Promise<LoadedDataset> {
  const onProblem = options.onProblem ?? (() => undefined);
  const root = path.resolve(selection.root);
  const splitFolders = selection.split.kind === 'folders' ? await findSplitFolders(root) : undefined;
  if (selection.split.kind === 'folders' && !splitFolders) {
    throw new DataError([
      {
        field: 'data.split.kind',
        message: `is "folders", but ${root} has no train/ and test/ (or val/) folders of its own; use "holdout" or "all", or point data.root at a dataset that has them.`,
      },
    ]);
  }
  const listings = splitFolders
    ? await Promise.all([listRoot(splitFolders.train, options.signal), listRoot(splitFolders.test, options.signal)])
    : [await listRoot(root, options.signal)];

  const rootProblems = listings.flatMap((listing) => listing.rootProblems(selection.layout));
  if (rootProblems.length > 0) throw new DataError(rootProblems);
  const problems: DataErrorProblem[] = [];
  const classNames = checkDomains(listings, selection, problems, onProblem);
  if (problems.length > 0 && !splitFolders && (await findSplitFolders(root))) {
    problems.push({
      field: 'data.split.kind',
      message: `${root} holds its own train/ and test/ folders: set split.kind to "folders" to use them, or point data.root at ${path.join(root, 'train')}.`,
    });
  }
  if (problems.length > 0) throw new DataError(problems);

  const classIndex = new Map(classNames.map((name, index) => [name, index]));
  const domainSplits = async (name: string): Promise<DomainSplits> => {
    const [trainListing, testListing] = listings.map((listing) => listing.domains.get(name)!.listing!);
    const train = await samplesOf(trainListing, classIndex);
    if (testListing) return { name, train, test: await samplesOf(testListing, classIndex) };
    if (selection.split.kind === 'holdout') return { name, ...holdOut(train, selection.split.testFraction, selection.seed, name) };
    return { name, train, test: train };
  };
  const source = await domainSplits(selection.source);
  const targets = await Promise.all(selection.targets.map(domainSplits));
  const splitProblems = [source, ...targets].flatMap((domain) => splitCoverageProblems(domain, classNames, selection.split, domain === source));
  if (splitProblems.length > 0) throw new DataError(splitProblems.map((message) => ({ field: 'data.split', message })));
  return { root, layout: listings[0].listing.summary.layout!, classNames, source, targets };
}
