import { RUN_FORMAT_VERSION, SOURCE_HOLDOUT } from '../../runFolder/runFolderFormat';
import type { EpochScores, ModelCost, RunResults, Selection } from '../../runFolder/results';
import { perClassAccuracy, type DomainScore } from '../training/evaluate';

export function meanOver(values: Record<string, number>, keys: readonly string[]): number {
  return keys.length ? keys.reduce((sum, key) => sum + (values[key] ?? 0), 0) / keys.length : 0;
}

function selectBy(history: readonly EpochScores[], role: string, targets: readonly string[], score: (entry: EpochScores) => number, label: string): Selection {
  // Ties go to the later epoch, as a run that keeps improving would report.
  const best = history.reduce((chosen, entry) => (score(entry) >= score(chosen) ? entry : chosen));
  return { label, epoch: best.epoch, accuracy: best.accuracy[role], meanTarget: meanOver(best.accuracy[role], targets) };
}

/** results.json from a finished run's per-epoch scores and its last evaluation in full. */
export function buildResults(input: {
  method: string;
  backend: string;
  classNames: string[];
  targets: string[];
  history: EpochScores[];
  last: Record<string, Record<string, DomainScore>>;
  costs: Record<string, ModelCost>;
}): RunResults {
  const { history, targets, last } = input;
  const final = history[history.length - 1];
  const roles = Object.keys(final.accuracy);
  const perRole = <T>(make: (role: string) => T) => Object.fromEntries(roles.map((role) => [role, make(role)]));
  return {
    version: RUN_FORMAT_VERSION,
    method: input.method,
    backend: input.backend,
    classNames: input.classNames,
    targets,
    headline: {
      label: 'last epoch (no target labels used)',
      epoch: final.epoch,
      accuracy: final.accuracy,
      meanTarget: perRole((role) => meanOver(final.accuracy[role], targets)),
    },
    oracle: perRole((role) =>
      selectBy(history, role, targets, (entry) => meanOver(entry.accuracy[role], targets), 'oracle: best epoch by target test accuracy (uses target labels)'),
    ),
    labelFree: perRole((role) =>
      selectBy(history, role, targets, (entry) => entry.accuracy[role][SOURCE_HOLDOUT] ?? 0, 'label-free: best epoch by source hold-out accuracy'),
    ),
    labelFreeEntropy: perRole((role) =>
      selectBy(history, role, targets, (entry) => -meanOver(entry.entropy[role], targets), 'label-free: epoch of lowest mean target prediction entropy'),
    ),
    history,
    perClass: perRole((role) => Object.fromEntries(Object.entries(last[role]).map(([domain, score]) => [domain, perClassAccuracy(score.confusion)]))),
    confusion: perRole((role) => Object.fromEntries(Object.entries(last[role]).map(([domain, score]) => [domain, score.confusion]))),
    costs: input.costs,
    testImages: testImagesOf(last),
  };
}

/** Images scored per domain: every model sees the same ones, so the first model's scores give the counts. */
function testImagesOf(last: Record<string, Record<string, DomainScore>>): Record<string, number> {
  const [scores] = Object.values(last);
  return Object.fromEntries(Object.entries(scores ?? {}).map(([domain, score]) => [domain, score.images]));
}
