import { LEGACY_ADAPTATION_LAYERS } from './adaptationLayers';
import type { Experiment, ModelSpec } from './experiment';

/**
 * A run folder's experiment.json as this trainer reads it when resuming. One written before the
 * trainer had a learning-rate schedule setting lacks `optimizer.lrSchedule` (every newer one has
 * it, filled by the schema's default): it ran the settings of that time, which are filled in so
 * that it resumes as it started: learning rate per epoch, the student's target-only adversarial
 * term, and each net cut where its linear head began.
 */
export function asResumable(experiment: Experiment): Experiment {
  if (experiment.optimizer.lrSchedule !== undefined) return experiment;
  const legacySpec = (spec: ModelSpec): ModelSpec => (spec.architecture === 'saved' || spec.adaptAt !== undefined ? spec : { ...spec, adaptAt: LEGACY_ADAPTATION_LAYERS[spec.architecture] });
  return {
    ...experiment,
    teacher: legacySpec(experiment.teacher),
    student: legacySpec(experiment.student),
    method: { ...experiment.method, studentAdversarial: 'target-only' },
    optimizer: { ...experiment.optimizer, lrSchedule: 'per-epoch' },
  };
}
