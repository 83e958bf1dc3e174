import { plural } from './issueText';
import type { DatasetIssue } from './datasetSummary';

/** Where a label first appears, and how many lines use it, over every list file of a root. */
export interface LabelUse {
  label: number;
  lines: number;
  listFile: string;
  firstLine: number;
}

/**
 * Labels that sit beyond a gap in the labels a root's list files use, when the labels below the
 * gap are most of them: a typo such as 99999 among 0–11, which would otherwise become a class of
 * its own. List-file datasets number their classes 0..K-1 (or 1..K) without gaps, so a gap is
 * the tell; one issue per stray label, at its first line. Only for roots without a class-names
 * file, where labels cannot be checked against names.
 */
export function strayLabelIssues(uses: readonly LabelUse[]): DatasetIssue[] {
  const sorted = [...uses].sort((a, b) => a.label - b.label);
  let runEnd = 0;
  while (runEnd + 1 < sorted.length && sorted[runEnd + 1].label === sorted[runEnd].label + 1) runEnd++;
  const run = sorted.slice(0, runEnd + 1);
  const beyond = sorted.slice(runEnd + 1);
  if (beyond.length === 0 || beyond.length * 2 >= run.length) return [];
  const range = `${run[0].label}–${run[run.length - 1].label}`;
  return beyond.map((use) => ({
    code: 'stray-label' as const,
    message: `Label ${use.label} lies outside ${range}, the labels the other lines use, and would make a class "${use.label}" of its own (${plural(use.lines, 'line')}): a typo? A classes.txt naming the classes makes labels explicit.`,
    path: use.listFile,
    line: use.firstLine,
  }));
}
