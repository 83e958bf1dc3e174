import path from 'node:path';
import { sortClassNames } from './classConsistency';
import type { ClassSummary, DatasetSummary, DomainSummary } from './datasetSummary';

/** Images of one domain or class in each split. */
export interface SplitCounts {
  train: number;
  test: number;
}

export interface SplitClassSummary extends ClassSummary {
  splits: SplitCounts;
}

export interface SplitDomainSummary extends DomainSummary {
  classes: SplitClassSummary[];
  splits: SplitCounts;
}

/** A root with its own train/ and test/ folders, read as the one dataset they split: its domains with both splits' counts. */
export interface SplitDatasetSummary extends DatasetSummary {
  domains: SplitDomainSummary[];
  /** The test split's folder name: test, val or validation. */
  testFolder: string;
}

function countOf<T extends { name: string; count: number }>(entries: readonly T[] | undefined, name: string): number {
  return entries?.find((entry) => entry.name === name)?.count ?? 0;
}

function combineDomain(name: string, train: DomainSummary | undefined, test: DomainSummary | undefined): SplitDomainSummary {
  const names = sortClassNames([...(train?.classes ?? []), ...(test?.classes ?? [])].map((entry) => entry.name));
  const classes = names.map((className): SplitClassSummary => {
    const inTrain = train?.classes.find((entry) => entry.name === className);
    const inTest = test?.classes.find((entry) => entry.name === className);
    const splits = { train: countOf(train?.classes, className), test: countOf(test?.classes, className) };
    return {
      name: className,
      count: splits.train + splits.test,
      samples: [...(inTrain?.samples ?? []), ...(inTest?.samples ?? [])],
      issues: [...(inTrain?.issues ?? []), ...(inTest?.issues ?? [])],
      splits,
    };
  });
  const splits = { train: train?.count ?? 0, test: test?.count ?? 0 };
  return {
    name,
    path: (train ?? test)!.path,
    count: splits.train + splits.test,
    classes,
    issues: [...(train?.issues ?? []), ...(test?.issues ?? [])],
    splits,
  };
}

/**
 * The scans of a root's train/ and test/ folders as one dataset: every domain either split has,
 * with its images and each class's counted per split, and the issues of both (their messages and
 * paths say which split). The Datasets view shows a split root so, as `split.kind: "folders"`
 * reads it, rather than as two domains named "train" and "test".
 */
export function combineSplits(root: string, train: DatasetSummary, test: DatasetSummary): SplitDatasetSummary {
  const names = [...new Set([...train.domains, ...test.domains].map((domain) => domain.name))].sort();
  const domains = names.map((name) =>
    combineDomain(
      name,
      train.domains.find((domain) => domain.name === name),
      test.domains.find((domain) => domain.name === name),
    ),
  );
  return {
    root,
    layout: train.layout ?? test.layout,
    count: train.count + test.count,
    domains,
    classNames: sortClassNames([...train.classNames, ...test.classNames]),
    issues: [...train.issues, ...test.issues],
    testFolder: path.basename(test.root),
  };
}
