import path from 'node:path';
import { listRuns } from '../runFolder/listRuns';
import { readExperimentJson } from '../runFolder/readRunFiles';
import { readRunResults, type ModelHeadline } from '../runFolder/readRunResults';

/** A model of another run that a distillation run is judged against. */
export interface BaselineModel {
  /** What the baseline is, e.g. "student, source only". */
  label: string;
  runId: string;
  /** The baseline run's method (`source-only` or `dann`). */
  method: string;
  model: ModelHeadline;
}

/** The fields that make two runs comparable, and what a baseline run trained. */
interface ExperimentSummary {
  root: string;
  source: string;
  targets: Set<string>;
  method: string;
  model?: string;
  /** Which images each domain is scored on: layout, input, split, and the seed where it draws the split. */
  evaluation: string;
}

const BASELINE_METHODS: Record<string, string> = { 'source-only': 'source only', dann: 'adapted directly (DANN)' };

async function readSummary(runDir: string): Promise<ExperimentSummary | undefined> {
  let experiment;
  try {
    experiment = await readExperimentJson(runDir);
  } catch {
    return undefined;
  }
  const { data, method } = experiment;
  if (data?.root === undefined || data.source === undefined || data.targets === undefined || method?.name === undefined) return undefined;
  // A held-out split is drawn with the run's seed: another seed scores other images.
  const holdout = data.split?.kind === 'holdout' || data.split?.kind === undefined;
  const evaluation = JSON.stringify([
    data.layout ?? 'auto',
    data.imageSize,
    data.channels,
    data.split?.kind ?? 'holdout',
    holdout ? data.split?.testFraction : null,
    holdout ? experiment.seed : null,
  ]);
  return {
    root: path.resolve(data.root),
    source: data.source,
    targets: new Set(data.targets),
    method: method.name,
    model: method.model,
    evaluation,
  };
}

/** Same data, source and set of targets, scored on the same images: the numbers are comparable. */
function sameProblem(a: ExperimentSummary, b: ExperimentSummary): boolean {
  return (
    a.root === b.root &&
    a.source === b.source &&
    a.evaluation === b.evaluation &&
    a.targets.size === b.targets.size &&
    [...a.targets].every((target) => b.targets.has(target))
  );
}

/**
 * The baselines in the same runs folder for a run: the newest finished source-only and DANN run of
 * each architecture role on the same data, source and targets, scored on the same test images
 * (read from each run's experiment.json). Runs of the same kind as the one judged, and unreadable ones, are left out.
 */
export async function findBaselines(runDir: string, runsDir: string): Promise<BaselineModel[]> {
  const judged = await readSummary(runDir);
  if (!judged) return [];
  const chosen = new Map<string, BaselineModel>();
  for (const run of await listRuns(runsDir)) {
    if (run.state !== 'done' || path.resolve(run.dir) === path.resolve(runDir)) continue;
    const summary = await readSummary(run.dir);
    if (!summary || !(summary.method in BASELINE_METHODS) || !sameProblem(judged, summary)) continue;
    const role = summary.model ?? 'student';
    if (summary.method === judged.method && role === (judged.model ?? 'student')) continue;
    const label = `${role}, ${BASELINE_METHODS[summary.method]}`;
    // listRuns is newest first: the first run of a kind is the newest.
    if (chosen.has(label)) continue;
    const results = await readRunResults(run.dir);
    if (results.kind !== 'results') continue;
    const model = results.models.find((candidate) => candidate.role === role);
    if (model) chosen.set(label, { label, runId: run.runId, method: summary.method, model });
  }
  return [...chosen.values()];
}

/**
 * Whether a run lacks its lower bound: no source-only baseline of the student among `baselines`,
 * and the run is not a source-only run of the student itself. Unreadable experiments are not judged.
 */
export async function lacksSourceOnlyBaseline(runDir: string, baselines: readonly BaselineModel[]): Promise<boolean> {
  const judged = await readExperimentJson(runDir).catch(() => undefined);
  if (judged?.method?.name === undefined) return false;
  if (judged.method.name === 'source-only' && (judged.method.model ?? 'student') === 'student') return false;
  return !baselines.some((baseline) => baseline.method === 'source-only' && baseline.model.role === 'student');
}
