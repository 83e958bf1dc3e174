/**
 * Accuracy per model and domain as the trainer logs it (eval events, results.json), read
 * defensively, and the one definition of a model's mean over its targets: the Results panel, Compare
 * Runs and the Runs view all use it, so they cannot disagree. Pure (no Node or DOM APIs): the
 * webviews import it too.
 */
import { SOURCE_HOLDOUT } from './runFolderFormat';

export type AccuracyByModel = Record<string, Record<string, number>>;

/**
 * `accuracy[model][domain]` from untrusted JSON: models whose value is not an object (a torn write,
 * a newer trainer) are dropped, and so are domains whose value is not a finite number. Undefined
 * when `value` is not an object at all.
 */
export function readAccuracy(value: unknown): AccuracyByModel | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: AccuracyByModel = {};
  for (const [role, byDomain] of Object.entries(value)) {
    if (typeof byDomain !== 'object' || byDomain === null || Array.isArray(byDomain)) continue;
    out[role] = Object.fromEntries(Object.entries(byDomain).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1])));
  }
  return out;
}

/** The targets named (by the experiment or results.json), else every evaluated domain but the source hold-out, sorted. */
export function evaluatedTargets(accuracy: AccuracyByModel | undefined, named: readonly string[] = []): string[] {
  if (named.length) return [...named];
  return [...new Set(Object.values(accuracy ?? {}).flatMap((byDomain) => Object.keys(byDomain)))].filter((domain) => domain !== SOURCE_HOLDOUT).sort();
}

/**
 * A model's mean accuracy over the targets it has a value for; undefined when it has none (never 0:
 * a target not evaluated yet is unknown, not wrong).
 */
export function meanOverTargets(byDomain: Readonly<Record<string, number | undefined>> | undefined, targets: readonly string[]): number | undefined {
  const known = targets.map((target) => byDomain?.[target]).filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
  return known.length ? known.reduce((sum, value) => sum + value, 0) / known.length : undefined;
}
