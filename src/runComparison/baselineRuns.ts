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
  seed: unknown;
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
    seed: experiment.seed,
  };
}

/**
 * Same data and source, scored on the same images, with the targets the judged run reports. A
 * source-only run trains on the source alone, so one that scored more targets is still the judged
 * run's lower bound on its targets; a DANN run's targets shape its training, so they must be the same set.
 */
function sameProblem(judged: ExperimentSummary, baseline: ExperimentSummary): boolean {
  const coversTargets = [...judged.targets].every((target) => baseline.targets.has(target));
  const sameTargets = baseline.method === 'source-only' || judged.targets.size === baseline.targets.size;
  return judged.root === baseline.root && judged.source === baseline.source && judged.evaluation === baseline.evaluation && coversTargets && sameTargets;
}

/** The baseline's model on the judged run's targets only, its mean taken over those. */
function onTargets(model: ModelHeadline, targets: ReadonlySet<string>): ModelHeadline {
  const kept = model.targets.filter((target) => targets.has(target.domain));
  if (kept.length === model.targets.length) return model;
  return { ...model, targets: kept, meanTarget: kept.reduce((sum, target) => sum + target.accuracy, 0) / kept.length };
}

/**
 * The baselines in the same runs folder for a run: the newest finished source-only and DANN run of
 * each architecture role on the same data, source and targets (see sameProblem), scored on the
 * same test images (read from each run's experiment.json), preferring one trained with the judged
 * run's seed. Runs of the same kind as the one judged, and unreadable ones, are left out.
 */
export async function findBaselines(runDir: string, runsDir: string): Promise<BaselineModel[]> {
  const judged = await readSummary(runDir);
  if (!judged) return [];
  const chosen = new Map<string, BaselineModel & { sameSeed: boolean }>();
  for (const run of await listRuns(runsDir)) {
    if (run.state !== 'done' || path.resolve(run.dir) === path.resolve(runDir)) continue;
    const summary = await readSummary(run.dir);
    if (!summary || !(summary.method in BASELINE_METHODS) || !sameProblem(judged, summary)) continue;
    const role = summary.model ?? 'student';
    if (summary.method === judged.method && role === (judged.model ?? 'student')) continue;
    const label = `${role}, ${BASELINE_METHODS[summary.method]}`;
    // listRuns is newest first: the newest run of a kind, unless an older one shares the judged run's seed.
    const sameSeed = summary.seed === judged.seed;
    const held = chosen.get(label);
    if (held && (held.sameSeed || !sameSeed)) continue;
    const results = await readRunResults(run.dir);
    if (results.kind !== 'results') continue;
    const model = results.models.find((candidate) => candidate.role === role);
    if (model) chosen.set(label, { label, runId: run.runId, method: summary.method, model: onTargets(model, judged.targets), sameSeed });
  }
  return [...chosen.values()].map(({ sameSeed: _sameSeed, ...baseline }) => baseline);
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
