import { plural, quotedPreview } from './issueText';
import type { DomainSummary } from './datasetSummary';

/** Missing class names listed in a `class-mismatch` message before "and N more". */
const MISSING_NAMES_SHOWN = 20;

const INTEGER = /^\d+$/;

/**
 * Sorted class names. When every name is a number (the labels of list and IDX files) they sort as
 * numbers, so `10` follows `9`; otherwise by code unit, like Python's `sorted` (torchvision's order).
 * The rule is chosen for the whole set because mixing the two per pair would not be transitive.
 */
export function sortClassNames(names: Iterable<string>): string[] {
  const unique = [...new Set(names)];
  if (unique.every((name) => INTEGER.test(name))) return unique.sort((a, b) => Number(a) - Number(b));
  return unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Training needs every domain to share one class set. Returns the sorted union of class names,
 * orders each domain's classes the same way, and gives each domain that lacks some of them a
 * `class-mismatch` issue naming them. A domain without any class is already reported as empty.
 */
export function reconcileClasses(domains: readonly DomainSummary[]): string[] {
  const union = sortClassNames(domains.flatMap((domain) => domain.classes.map((entry) => entry.name)));
  const position = new Map(union.map((name, index) => [name, index]));
  for (const domain of domains) {
    domain.classes.sort((a, b) => position.get(a.name)! - position.get(b.name)!);
    if (domain.classes.length === 0) continue;
    const present = new Set(domain.classes.map((entry) => entry.name));
    const missing = union.filter((name) => !present.has(name));
    if (missing.length === 0) continue;
    domain.issues.push({
      code: 'class-mismatch',
      message: `Domain "${domain.name}" lacks ${plural(missing.length, 'class', 'classes')} that other domains have (${union.length} in all): ${quotedPreview(missing, missing.length, MISSING_NAMES_SHOWN)}.`,
      path: domain.path,
    });
  }
  return union;
}
