import { LEGACY_ADAPTATION_LAYERS } from './adaptationLayers';
import type { Experiment, ModelSpec } from './experiment';

/**
 * A run folder's experiment as this trainer resumes it. One written before the trainer had a
 * learning-rate schedule setting lacks `optimizer.lrSchedule` in its `recorded` form (every newer
 * one has it, filled by the schema's default; `experiment` is the validated one, where the default
 * hides that): it ran the settings of that time, which are filled in so that it resumes as it
 * started: learning rate per epoch, the student's target-only adversarial term, and each net cut
 * where its linear head began.
 */
export function asResumable(experiment: Experiment, recorded: { optimizer?: { lrSchedule?: string } }): Experiment {
  if (recorded.optimizer?.lrSchedule !== undefined) return experiment;
  const legacySpec = (spec: ModelSpec): ModelSpec =>
    spec.architecture === 'saved' || spec.adaptAt !== undefined ? spec : { ...spec, adaptAt: LEGACY_ADAPTATION_LAYERS[spec.architecture] };
  return {
    ...experiment,
    teacher: legacySpec(experiment.teacher),
    student: legacySpec(experiment.student),
    method: { ...experiment.method, studentAdversarial: 'target-only' },
    optimizer: { ...experiment.optimizer, lrSchedule: 'per-epoch' },
  };
}
