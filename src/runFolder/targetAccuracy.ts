/**
 * Accuracy per model and domain as the trainer logs it (eval events, results.json), and the one
 * definition of a model's mean over its targets: the Results panel, Compare Runs and the Runs view
 * all use it, so they cannot disagree. Pure (no Node or DOM APIs): the webviews import it too.
 */
import { SOURCE_HOLDOUT } from './runFolderFormat';

/** accuracy[model][domain], 0..1 (entropy per model and domain has the same shape). */
export type AccuracyByModel = Record<string, Record<string, number>>;

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
