import { BackendError } from './backendError';
import { backendChoices, type BackendChoice } from './backendTypes';

/** Checks a backend name from an experiment file, a setting or a flag; `where` names the source. */
export function parseBackendChoice(value: unknown, where: string): BackendChoice {
  if (value === undefined || value === null || value === '') return 'auto';
  if (typeof value === 'string' && (backendChoices as readonly string[]).includes(value)) return value as BackendChoice;
  throw new BackendError(`unknown backend ${JSON.stringify(value)} in ${where}; expected one of ${backendChoices.join(', ')}`);
}

/**
 * The experiment file decides; `auto` there defers to the kdUda.backend setting (passed to the
 * trainer by the extension), and `auto` in both means the ladder.
 */
export function resolveBackendChoice(experiment: unknown, setting: unknown): BackendChoice {
  const fromExperiment = parseBackendChoice(experiment, 'the experiment file (backend)');
  const fromSetting = parseBackendChoice(setting, 'the kdUda.backend setting');
  return fromExperiment !== 'auto' ? fromExperiment : fromSetting;
}
