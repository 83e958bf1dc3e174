import type { SplitSpec } from './splits';
import type { DomainSplits } from './samples';

function countByLabel(samples: DomainSplits['train']): Map<number, number> {
  const counts = new Map<number, number>();
  for (const sample of samples) counts.set(sample.label, (counts.get(sample.label) ?? 0) + 1);
  return counts;
}

function splitWording(split: SplitSpec): string {
  if (split.kind === 'holdout') return `split.kind "holdout" with split.testFraction ${split.testFraction}`;
  return `split.kind "${split.kind}"`;
}

function remedy(split: SplitSpec): string {
  if (split.kind === 'holdout') return 'Raise split.testFraction, or use split.kind "all" (every image in both halves, as the papers evaluate).';
  if (split.kind === 'folders') return 'Add test images of those classes to the dataset\'s test folder, or use split.kind "holdout".';
  return '';
}

/**
 * Why a domain's split cannot be scored or trained on as asked: an evaluation split with no image
 * at all, a class with images but none among the test images (its accuracy would be read off
 * nothing and reported as a score), or, for the source, a class with no training image left.
 * Empty when the split is usable. `isSource` adds the training-side check.
 */
export function splitCoverageProblems(domain: DomainSplits, classNames: readonly string[], split: SplitSpec, isSource: boolean): string[] {
  const role = isSource ? 'source' : 'target';
  const total = domain.train.length + (split.kind === 'all' ? 0 : domain.test.length);
  const how = splitWording(split);
  if (domain.test.length === 0) {
    return [
      `the ${role} domain "${domain.name}" has no test images under ${how} (${total} images in all): its accuracy would be measured on nothing. ${remedy(split)}`.trim(),
    ];
  }
  const trainCounts = countByLabel(domain.train);
  const testCounts = countByLabel(domain.test);
  const problems: string[] = [];
  const untested = classNames
    .map((name, label) => ({ name, train: trainCounts.get(label) ?? 0, test: testCounts.get(label) ?? 0 }))
    .filter((entry) => entry.test === 0 && entry.train > 0);
  if (untested.length > 0) {
    const listed = untested.map((entry) => `"${entry.name}" (${entry.train} images, 0 for testing)`).join(', ');
    problems.push(
      `in the ${role} domain "${domain.name}", ${untested.length === 1 ? 'class' : 'classes'} ${listed} ${untested.length === 1 ? 'has' : 'have'} no test image under ${how}. ${remedy(split)}`.trim(),
    );
  }
  if (isSource && split.kind === 'holdout') {
    const untrained = classNames
      .map((name, label) => ({ name, train: trainCounts.get(label) ?? 0, test: testCounts.get(label) ?? 0 }))
      .filter((entry) => entry.test > 0 && entry.train === 0);
    if (untrained.length > 0) {
      const listed = untrained.map((entry) => `"${entry.name}" (${entry.test} images, all held out)`).join(', ');
      problems.push(
        `in the source domain "${domain.name}", ${untrained.length === 1 ? 'class' : 'classes'} ${listed} ${untrained.length === 1 ? 'has' : 'have'} no training image left under ${how}: the model cannot learn a class it never sees. Lower split.testFraction, or use split.kind "all".`,
      );
    }
  }
  return problems;
}
