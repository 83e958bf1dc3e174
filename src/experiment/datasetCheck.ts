import path from 'node:path';
import { sortClassNames } from '../datasetScan/classConsistency';
import { LAYOUT_LABELS, type DatasetIssue, type DatasetLayout, type DatasetSummary } from '../datasetScan/datasetSummary';
import { quotedPreview } from '../datasetScan/issueText';
import { closestName } from '../util/closestName';
import { isRecord } from '../util/isRecord';

/** What the scanner found at an experiment's `data.root` (resolved), as the Datasets view holds it. */
export interface ExperimentDataScan {
  /** The scan of the root itself. */
  summary: DatasetSummary;
  /** The scans of the root's own train/ and test/ (or val/) folders, when it has them and they were scanned. */
  splitFolders?: { train: DatasetSummary; test: DatasetSummary };
  /** Whether the root has its own train/ and test/ folders (split.kind "folders" reads them). */
  hasSplitFolders: boolean;
}

/** One thing the scanned dataset says against the experiment: the field to fix (`data.targets[0]`) and why. */
export interface DatasetCheckProblem {
  field: string;
  message: string;
}

const SPLIT_KINDS = new Set(['all', 'holdout', 'folders']);

function describeIssue(issue: DatasetIssue): string {
  if (!issue.path || issue.message.includes(issue.path)) return issue.message;
  return `${issue.message} (${issue.line !== undefined ? `${issue.path}:${issue.line}` : issue.path})`;
}

/** The domain names an experiment selects, each with the field that names it first; non-strings are the schema's to report. */
function selectedDomains(data: Record<string, unknown>): { name: string; field: string }[] {
  const selected: { name: string; field: string }[] = [];
  const seen = new Set<string>();
  const add = (name: unknown, field: string) => {
    if (typeof name !== 'string' || name === '' || seen.has(name)) return;
    seen.add(name);
    selected.push({ name, field });
  };
  add(data.source, 'data.source');
  if (Array.isArray(data.targets)) data.targets.forEach((name, index) => add(name, `data.targets[${index}]`));
  return selected;
}

/** A root the scanner could not read as a dataset (missing, a file, unknown layout), or one laid out otherwise than `data.layout` says. */
function rootProblems(summary: DatasetSummary, layout: unknown): DatasetCheckProblem[] {
  if (!summary.layout) return summary.issues.map((issue) => ({ field: 'data.root', message: describeIssue(issue) }));
  if (typeof layout === 'string' && layout !== 'auto' && Object.hasOwn(LAYOUT_LABELS, layout) && layout !== summary.layout) {
    return [
      {
        field: 'data.layout',
        message: `is "${layout}" (${LAYOUT_LABELS[layout as DatasetLayout]}), but ${summary.root} is laid out as ${LAYOUT_LABELS[summary.layout]} ("${summary.layout}"); set it to "${summary.layout}" or "auto".`,
      },
    ];
  }
  return [];
}

/** Stands for the place a problem was found in a message written once per split: one message for both when the rest is word for word the same. */
const WHERE = '\u0000where\u0000';

/** Each selected domain against one scan: it exists (else the nearest name), holds images, its source classes are not empty; and one class set across them. Messages say where with WHERE. */
function domainProblems(summary: DatasetSummary, selected: readonly { name: string; field: string }[], source: unknown): DatasetCheckProblem[] {
  const problems: DatasetCheckProblem[] = [];
  const names = summary.domains.map((domain) => domain.name);
  const classSets: { field: string; name: string; classes: Set<string> }[] = [];
  for (const { name, field } of selected) {
    const domain = summary.domains.find((candidate) => candidate.name === name);
    if (!domain) {
      const meant = closestName(name, names);
      problems.push({
        field,
        message: `no domain "${name}" under ${WHERE}${meant ? ` (did you mean "${meant}"?)` : ''}; domains: ${names.join(', ') || 'none'}`,
      });
      continue;
    }
    if (domain.count === 0) {
      const why = domain.issues.map(describeIssue).join(' ');
      problems.push({ field, message: `domain "${name}" under ${WHERE} has no readable images.${why ? ` ${why}` : ''}` });
      continue;
    }
    if (name === source) {
      const empty = domain.classes.filter((entry) => entry.count === 0).map((entry) => entry.name);
      if (empty.length > 0)
        problems.push({
          field,
          message: `the source domain "${name}" has no images of ${empty.length === 1 ? 'class' : 'classes'} ${quotedPreview(empty)} under ${WHERE}: a model cannot learn a class it never sees`,
        });
    }
    classSets.push({ field, name, classes: new Set(domain.classes.map((entry) => entry.name)) });
  }
  const union = sortClassNames(classSets.flatMap((set) => [...set.classes]));
  for (const { field, name, classes } of classSets) {
    const missing = union.filter((entry) => !classes.has(entry));
    if (missing.length > 0)
      problems.push({
        field,
        message: `domain "${name}" lacks ${missing.length === 1 ? 'class' : 'classes'} ${quotedPreview(missing, missing.length)} under ${WHERE} that the other selected domains have; every selected domain needs the same classes`,
      });
  }
  return problems;
}

/** The problems of one scan, WHERE replaced by its root. */
function placed(problems: readonly DatasetCheckProblem[], where: string): DatasetCheckProblem[] {
  return problems.map((problem) => ({ field: problem.field, message: problem.message.replaceAll(WHERE, where) }));
}

/**
 * The domain problems of both split folders: a problem both splits have word for word (a domain
 * neither has, a class both lack) is one problem naming both; one only a split has names that split.
 */
function splitDomainProblems(
  train: DatasetSummary,
  test: DatasetSummary,
  selected: readonly { name: string; field: string }[],
  source: unknown,
): DatasetCheckProblem[] {
  const key = (problem: DatasetCheckProblem) => `${problem.field}\u0000${problem.message}`;
  const inTrain = domainProblems(train, selected, source);
  const inTest = domainProblems(test, selected, source);
  const testKeys = new Set(inTest.map(key));
  const trainKeys = new Set(inTrain.map(key));
  const testName = path.basename(test.root);
  return [
    ...inTrain.map((problem) => ({
      field: problem.field,
      message: problem.message.replaceAll(
        WHERE,
        testKeys.has(key(problem)) ? `${train.root} and ${test.root} (both splits)` : `${train.root} (the train split)`,
      ),
    })),
    ...placed(
      inTest.filter((problem) => !trainKeys.has(key(problem))),
      `${test.root} (the ${testName} split)`,
    ),
  ];
}

/**
 * What a scan of the experiment's dataset root says against its `data` (as written: fields the
 * schema would reject are skipped, the schema reports them): the root and its layout, the split
 * folders `split.kind: "folders"` reads, and every selected domain with its classes. The same
 * rules as the trainer's own data check, from the scan the Datasets view already holds, so a
 * mistyped domain is shown in the editor and stops Start Run before any process or run folder.
 */
export function datasetCheckProblems(data: unknown, scan: ExperimentDataScan): DatasetCheckProblem[] {
  if (!isRecord(data)) return [];
  const selected = selectedDomains(data);
  const split = isRecord(data.split) ? data.split.kind : undefined;
  const splitKind = typeof split === 'string' && SPLIT_KINDS.has(split) ? split : 'holdout';
  if (splitKind === 'folders') {
    if (!scan.hasSplitFolders)
      return [
        {
          field: 'data.split.kind',
          message: `is "folders", but ${scan.summary.root} has no train/ and test/ (or val/) folders of its own; use "holdout" or "all", or point data.root at a dataset that has them.`,
        },
      ];
    if (!scan.splitFolders) return [];
    const { train, test } = scan.splitFolders;
    const problems = [...rootProblems(train, data.layout), ...rootProblems(test, data.layout)];
    if (problems.length > 0) return problems;
    return splitDomainProblems(train, test, selected, data.source);
  }
  const problems = rootProblems(scan.summary, data.layout);
  if (problems.length > 0) return problems;
  const domains = placed(domainProblems(scan.summary, selected, data.source), scan.summary.root);
  if (domains.length > 0 && scan.hasSplitFolders) {
    domains.push({
      field: 'data.split.kind',
      message: `${scan.summary.root} holds its own train/ and test/ folders: set split.kind to "folders" to use them, or point data.root at ${path.join(scan.summary.root, 'train')}.`,
    });
  }
  return domains;
}
