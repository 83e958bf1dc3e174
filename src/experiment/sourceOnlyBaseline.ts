/**
 * The source-only baseline of a run: the same experiment (data, split, seed, student, schedule),
 * with the student trained on the labelled source alone. Its numbers are the lower bound a
 * distillation or adaptation run is judged against. Pure: no Node, no `vscode`.
 */
import { isRecord } from '../util/isRecord';

/** The experiment file's content for the baseline of a run whose experiment.json is `experiment`. */
export function sourceOnlyExperimentOf(experiment: unknown, file: string): Record<string, unknown> {
  if (!isRecord(experiment) || !isRecord(experiment.method) || !isRecord(experiment.data))
    throw new Error(`${file} has no "data" and "method" objects to derive a source-only baseline from`);
  if (experiment.method.name === 'source-only' && (experiment.method.model ?? 'student') === 'student')
    throw new Error(`${file} is a source-only run of the student already: it is its own baseline`);
  // The executor stays: the baseline runs where the run it belongs to ran.
  const name = typeof experiment.name === 'string' && experiment.name !== '' ? experiment.name : 'experiment';
  return {
    ...experiment,
    name: `${name}-source-only`,
    description: `Source-only baseline of ${name}: the same data, split, seed and student, trained on the labelled source alone.`,
    method: { ...experiment.method, name: 'source-only', model: 'student' },
  };
}
