import { readFile } from 'node:fs/promises';
import path from 'node:path';
import schema from '../../../schemas/experiment.schema.json';
import type { ExecutorSetting } from '../../experiment/executorSetting';
import type { Experiment } from '../../experiment/experiment';
import { expandSweep, type SweepAxis } from '../../experiment/sweep';
import type { PointProblem } from '../../experiment/sweepProblems';
import { formatExperimentProblem, pointProblemsInText, validateExperimentText, type ExperimentProblem } from '../../experiment/validateExperiment';
import { isRecord } from '../../util/isRecord';
import { savedModelProblems, type SavedModelProblem } from '../models/savedBackbone';
import { UsageError } from './usageError';

const MODEL_ROLES = ['teacher', 'student'] as const;

/** One run an experiment file asks for, as the trainer runs it and its run folder records it. */
export interface ResolvedPoint {
  index: number;
  values: Record<string, unknown>;
  /** Validated, defaults filled, every path absolute. */
  experiment: Experiment;
}

/** An experiment file read for running: its text (to place later problems on their lines) and its runs. */
export interface ExperimentFile {
  file: string;
  text: string;
  /** One for a file without a sweep. */
  points: ResolvedPoint[];
  sweep?: { id: string; axes: SweepAxis[] };
  executor?: ExecutorSetting;
}

/**
 * Reads an experiment file as `train`, `prepare` and `sweep` run it: every point of its sweep
 * validated and its `saved` model files checked (a UsageError lists every problem, each on its
 * line), then the paths in it, which are relative to the file as the editor resolves them, made
 * absolute, as a run records them.
 */
export async function readExperimentFile(file: string): Promise<ExperimentFile> {
  const text = await readFile(file, 'utf8').catch((error: Error) => {
    throw new UsageError(`cannot read ${file}: ${error.message}`);
  });
  const result = validateExperimentText(text, file);
  const fileProblems = await savedModelFileProblems(text, file);
  if (!result.ok || fileProblems.length) {
    throw new UsageError([...(result.ok ? [] : result.problems), ...fileProblems].map((problem) => formatExperimentProblem(file, problem)).join('\n'));
  }
  return {
    file,
    text,
    points: result.points.map((point) => ({ ...point, experiment: resolvePaths(file, point.experiment) })),
    ...(result.sweep ? { sweep: result.sweep } : {}),
    ...(result.executor ? { executor: result.executor } : {}),
  };
}

/** The experiment with its data root, saved models and warm starts absolute (a copy). */
function resolvePaths(file: string, experiment: Experiment): Experiment {
  const resolved = structuredClone(experiment);
  resolved.data.root = resolveFromExperiment(file, resolved.data.root);
  for (const role of MODEL_ROLES) {
    const spec = resolved[role];
    if (spec.architecture === 'saved') spec.path = resolveFromExperiment(file, spec.path!);
    if (spec.warmStart) spec.warmStart = resolveFromExperiment(file, spec.warmStart);
  }
  return resolved;
}

function resolveFromExperiment(file: string, target: string): string {
  return path.resolve(path.dirname(file), target);
}

/**
 * What is wrong with the model files of `saved` models, in every point. Read from the raw
 * documents, not the validated ones, so that these are reported together with any schema problems.
 */
async function savedModelFileProblems(text: string, file: string): Promise<ExperimentProblem[]> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return []; // validation has named the syntax error
  }
  const expanded = expandSweep(document);
  if (!expanded.ok) return []; // validation names the sweep's problems
  // Points mostly share their models: each model file is read once for a given image shape and layers.
  const checks = new Map<string, Promise<SavedModelProblem[]>>();
  const check = (modelFile: string, image: ImageShape, layerNames: LayerNames) => {
    const key = JSON.stringify([modelFile, image, layerNames]);
    if (!checks.has(key)) checks.set(key, savedModelProblems(modelFile, image, layerNames));
    return checks.get(key)!;
  };
  const perPoint = await Promise.all(expanded.expansion.points.map((point) => savedModelPointProblems(point.document, file, check)));
  return pointProblemsInText(text, expanded.expansion, perPoint);
}

type ImageShape = { imageSize: number; channels: number };
type LayerNames = { featureLayer?: string; adaptAt?: string };

async function savedModelPointProblems(
  value: unknown,
  file: string,
  check: (modelFile: string, image: ImageShape, layerNames: LayerNames) => Promise<SavedModelProblem[]>,
): Promise<PointProblem[]> {
  const document = (isRecord(value) ? value : {}) as { data?: { imageSize?: unknown; channels?: unknown } } & Partial<
    Record<(typeof MODEL_ROLES)[number], { architecture?: unknown; path?: unknown; featureLayer?: unknown; adaptAt?: unknown }>
  >;
  const defaults = schema.properties.data.properties;
  const image = {
    imageSize: typeof document.data?.imageSize === 'number' ? document.data.imageSize : defaults.imageSize.default,
    channels: typeof document.data?.channels === 'number' ? document.data.channels : defaults.channels.default,
  };
  const problems: PointProblem[] = [];
  for (const role of MODEL_ROLES) {
    const spec = document[role];
    if (spec?.architecture !== 'saved' || typeof spec.path !== 'string' || !spec.path) continue;
    const layerNames = {
      featureLayer: typeof spec.featureLayer === 'string' ? spec.featureLayer : undefined,
      adaptAt: typeof spec.adaptAt === 'string' ? spec.adaptAt : undefined,
    };
    for (const problem of await check(resolveFromExperiment(file, spec.path), image, layerNames)) {
      problems.push({ kind: 'file', segments: [role, problem.field], message: problem.message });
    }
  }
  return problems;
}
