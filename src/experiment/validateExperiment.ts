import Ajv, { type ErrorObject } from 'ajv';
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import path from 'node:path';
import schema from '../../schemas/experiment.schema.json';
import { isRecord } from '../util/isRecord';
import { ADAPTATION_LAYERS } from './adaptationLayers';
import { featureDistillationProblems, withFeatureWeightDefault } from './featureDistillationProblems';
import { onlineKdProblems, withBranchesDefault } from './onlineKdProblems';
import type { ExecutorSetting } from './executorSetting';
import { slurmExecutorProblems } from '../slurm/slurmExecutor';
import type { Experiment } from './experiment';
import { expandSweep, sweepIdOf, type SweepAxis, type SweepExpansion } from './sweep';
import { placePointProblems, type PointProblem } from './sweepProblems';

/** One thing wrong with an experiment file, located by JSON path and, when known, by line. */
export interface ExperimentProblem {
  /**
   * syntax: not JSON; schema: what the JSON Schema says of the file as written (editors show these
   * themselves); relation: between fields, including a point of a sweep that breaks a schema rule
   * (editors check the file, not its points, so they cannot show that); file: what the files,
   * folders and backend the experiment names hold or allow (the trainer checks these before it
   * creates anything).
   */
  kind: 'syntax' | 'schema' | 'relation' | 'file';
  /** `data.targets[1]`, or '' for the whole document: the field of the experiment (of a sweep's point) it is about. */
  path: string;
  message: string;
  /** 1-based, when the problem can be placed in the text. */
  line?: number;
  column?: number;
  /** Character offsets of the offending value in the text, for editor diagnostics. */
  offset?: number;
  length?: number;
  /** For a sweep: the 0-based points that have the problem (the message names them too). */
  points?: number[];
}

/** One run of an experiment file: a point of its sweep, or the whole file when it has none. */
export interface ValidatedPoint {
  /** 0-based, row-major over the sweep's axes as written. */
  index: number;
  /** The point's value of each axis, by dotted path; empty without a sweep. */
  values: Record<string, unknown>;
  /** Every default filled in; paths still as written (relative to the file). */
  experiment: Experiment;
}

export type ExperimentResult =
  | {
      ok: true;
      /** The first point's (the only one without a sweep). */
      experiment: Experiment;
      /** Every run the file asks for: one without a sweep. */
      points: ValidatedPoint[];
      /** Present when the file has a sweep: its id (sweep.ts, sweepIdOf) and axes. */
      sweep?: { id: string; axes: SweepAxis[] };
      executor?: ExecutorSetting;
    }
  | { ok: false; problems: ExperimentProblem[] };

let compiled: ReturnType<Ajv['compile']> | undefined;
function schemaValidator(): ReturnType<Ajv['compile']> {
  // allErrors: the user sees every problem at once; useDefaults: the resolved experiment is explicit.
  compiled ??= new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile(schema);
  return compiled;
}

function pathOf(segments: readonly (string | number)[]): string {
  // A sweep's axis is a dotted path itself: `sweep["method.name"][1]`.
  return segments.reduce<string>(
    (text, segment) => (typeof segment === 'number' || segment.includes('.') ? `${text}[${JSON.stringify(segment)}]` : text ? `${text}.${segment}` : segment),
    '',
  );
}

function segmentsOf(instancePath: string): (string | number)[] {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function describe(error: ErrorObject): { segments: (string | number)[]; message: string } {
  const segments = segmentsOf(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperty':
    case 'additionalProperties':
      return { segments: [...segments, String(params.additionalProperty)], message: `unknown field "${String(params.additionalProperty)}"` };
    case 'required':
      return { segments, message: `missing required field "${String(params.missingProperty)}"` };
    case 'enum':
      return { segments, message: `must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}` };
    case 'const':
      return { segments, message: `must be ${JSON.stringify(params.allowedValue)}` };
    default:
      return { segments, message: error.message ?? error.keyword };
  }
}

/**
 * Rules the schema cannot say: relations between fields. Checked on the raw document too, so they
 * are reported together with schema problems rather than only once those are fixed.
 */
function crossFieldProblems(value: unknown): { segments: (string | number)[]; message: string }[] {
  const problems: { segments: (string | number)[]; message: string }[] = [];
  const document = value as {
    data?: { source?: unknown; targets?: unknown };
    method?: { name?: unknown; beta?: { start?: unknown; end?: unknown }; discriminator?: unknown; discriminatorHidden?: unknown };
    teacher?: { architecture?: unknown; adaptAt?: unknown };
    student?: { architecture?: unknown; adaptAt?: unknown };
  } | null;
  const source = document?.data?.source;
  const targets = Array.isArray(document?.data?.targets) ? (document.data.targets as unknown[]) : undefined;
  const sourceIndex = typeof source === 'string' && targets ? targets.indexOf(source) : -1;
  if (sourceIndex >= 0) problems.push({ segments: ['data', 'targets', sourceIndex], message: `the source domain "${String(source)}" cannot also be a target` });
  if (document?.method?.name === 'kd-stda' && targets && targets.length !== 1) {
    problems.push({
      segments: ['data', 'targets'],
      message: `kd-stda adapts to exactly one target (${targets.length} given); use kd-mtda or mt-mtda for several`,
    });
  }
  if (document?.method?.discriminator !== undefined && document.method.discriminatorHidden !== undefined) {
    problems.push({ segments: ['method', 'discriminatorHidden'], message: 'give either discriminator or the deprecated discriminatorHidden, not both' });
  }
  for (const role of ['teacher', 'student'] as const) {
    const spec = document?.[role];
    // Own keys only: "constructor" must read as an unknown architecture, not Object's.
    const layers =
      typeof spec?.architecture === 'string' && Object.hasOwn(ADAPTATION_LAYERS, spec.architecture)
        ? ADAPTATION_LAYERS[spec.architecture as keyof typeof ADAPTATION_LAYERS]
        : undefined;
    if (layers && typeof spec?.adaptAt === 'string' && !layers.includes(spec.adaptAt)) {
      problems.push({
        segments: [role, 'adaptAt'],
        message: `${String(spec.architecture)} has no adaptation layer "${spec.adaptAt}"; it can be cut at ${layers.join(', ')}`,
      });
    }
  }
  problems.push(...featureDistillationProblems(value));
  problems.push(...onlineKdProblems(value));
  const { start, end } = document?.method?.beta ?? {};
  if (typeof start === 'number' && typeof end === 'number' && start > end) {
    problems.push({ segments: ['method', 'beta'], message: `beta grows from start to end, so start (${start}) must not exceed end (${end})` });
  }
  return problems;
}

/**
 * Validates an experiment file's text and fills in defaults. Every problem is reported at once,
 * with its JSON path and line, before any work starts; the trainer and the editor use this same
 * function. A sweep's every point is validated, each problem placed on the sweep value that
 * causes it where that can be told (sweepProblems.ts).
 */
export function validateExperimentText(text: string, file: string): ExperimentResult {
  const parseErrors: ParseError[] = [];
  const tree = parseTree(text, parseErrors, { allowTrailingComma: false, disallowComments: true });
  if (parseErrors.length > 0 || !tree) {
    return {
      ok: false,
      problems: parseErrors.map((error) => ({
        kind: 'syntax' as const,
        path: '',
        message: `invalid JSON: ${printParseErrorCode(error.error)}`,
        ...position(text, error.offset, error.length),
      })),
    };
  }
  const result = validateExperimentValue(
    JSON.parse(text),
    file,
    (kind, at, field, message) => ({ ...locateIn(text, tree, kind, at, message), path: pathOf(field) }),
    (segments) => findNodeAtLocation(tree, [...segments]) !== undefined,
  );
  const duplicates = duplicateAxes(text, tree);
  if (duplicates.length === 0) return result;
  return { ok: false, problems: [...duplicates, ...(result.ok ? [] : result.problems)] };
}

/** An axis written twice in `sweep`: JSON.parse keeps the last silently, so the text is read for it. */
function duplicateAxes(text: string, tree: JsonNode): ExperimentProblem[] {
  const sweep = findNodeAtLocation(tree, ['sweep']);
  if (sweep?.type !== 'object') return [];
  const seen = new Set<string>();
  const problems: ExperimentProblem[] = [];
  for (const property of sweep.children ?? []) {
    const key = property.children?.[0];
    if (typeof key?.value !== 'string') continue;
    if (seen.has(key.value))
      problems.push({
        kind: 'relation',
        path: 'sweep',
        message: `the axis "${key.value}" is given twice; give each field one list of values`,
        ...position(text, key.offset, key.length),
      });
    seen.add(key.value);
  }
  return problems;
}

/**
 * Validates a parsed experiment (one a run folder recorded) and fills in defaults (in the result's
 * experiment, a copy). Its problems carry JSON paths only: there is no text to place them in.
 */
export function validateExperimentDocument(value: unknown, file: string): ExperimentResult {
  return validateExperimentValue(
    value,
    file,
    (kind, _at, field, message) => ({ kind, path: pathOf(field), message }),
    () => false,
  );
}

/** `name`, or the file's name without .kdexp.json made fit for a folder name. */
export function experimentNameOf(document: unknown, file: string): string {
  if (isRecord(document) && typeof document.name === 'string' && document.name) return document.name;
  return (
    path
      .basename(file)
      .replace(/(\.kdexp)?\.json$/, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-') || 'experiment'
  );
}

/** A problem placed `at` a JSON path of the file, about `field` of the experiment (a sweep point's, which may differ). */
type Place = (kind: ExperimentProblem['kind'], at: readonly (string | number)[], field: readonly (string | number)[], message: string) => ExperimentProblem;

function validateExperimentValue(value: unknown, file: string, place: Place, inFile: (segments: readonly (string | number)[]) => boolean): ExperimentResult {
  const expanded = expandSweep(value);
  if (!expanded.ok) {
    const sweepProblems = expanded.problems.map((problem) =>
      place(problem.inSchema ? 'schema' : 'relation', problem.segments, problem.segments, problem.message),
    );
    // The rest of the file is still checked, so its problems come with the sweep's.
    const rest = checkPoint(expanded.base, file).problems.map((problem) => place(problem.kind, problem.segments, problem.segments, problem.message));
    return { ok: false, problems: [...sweepProblems, ...rest] };
  }
  const { expansion } = expanded;
  const checked = expansion.points.map((point) => checkPoint(point.document, file));
  if (checked.some((point) => point.problems.length > 0)) {
    const placed = placePointProblems(
      expansion,
      checked.map((point) => point.problems),
      inFile,
    );
    return {
      ok: false,
      problems: placed.map((problem) => {
        // The editor's schema check sees the file, not its points: a schema problem of some points only is the sweep's to report.
        const onlyThePoints = problem.at[0] === 'sweep' || problem.points.length < expansion.points.length;
        const kind = problem.kind === 'schema' && onlyThePoints ? 'relation' : problem.kind;
        const located = place(kind, problem.at, problem.segments, problem.message);
        return expansion.axes.length > 0 ? { ...located, points: problem.points } : located;
      }),
    };
  }
  const points = expansion.points.map((point, index) => ({ index: point.index, values: point.values, experiment: checked[index].experiment! }));
  const executor = checked[0].executor;
  return {
    ok: true,
    experiment: points[0].experiment,
    points,
    ...(expansion.axes.length > 0 ? { sweep: { id: sweepIdOf(experimentNameOf(value, file), value, expansion.axes), axes: expansion.axes } } : {}),
    ...(executor ? { executor } : {}),
  };
}

/** One experiment (a sweep's point, or the file without one) against the schema and the relations between fields; defaults filled in place. */
function checkPoint(value: unknown, file: string): { problems: PointProblem[]; experiment?: Experiment; executor?: ExecutorSetting } {
  const validate = schemaValidator();
  const schemaProblems: PointProblem[] = validate(value)
    ? []
    : (validate.errors ?? []).filter((error) => error.keyword !== 'if').map((error) => ({ kind: 'schema' as const, ...describe(error) }));
  const executorProblems = slurmExecutorProblems((value as { executor?: unknown } | null)?.executor).map((problem) => ({
    kind: 'relation' as const,
    segments: fieldSegments(problem.path),
    message: problem.message,
  }));
  const problems = [...schemaProblems, ...crossFieldProblems(value).map((problem) => ({ kind: 'relation' as const, ...problem })), ...executorProblems];
  if (problems.length) return { problems };
  const { executor, ...experiment } = value as Experiment & { executor?: ExecutorSetting };
  experiment.name ??= experimentNameOf(value, file);
  withFeatureWeightDefault(experiment);
  withBranchesDefault(experiment);
  return { problems, experiment, ...(executor ? { executor } : {}) };
}

function locateIn(
  text: string,
  tree: JsonNode | undefined,
  kind: ExperimentProblem['kind'],
  segments: readonly (string | number)[],
  message: string,
): ExperimentProblem {
  let node = tree ? findNodeAtLocation(tree, [...segments]) : undefined;
  // A missing field is placed on its parent object.
  for (let depth = segments.length - 1; !node && tree && depth >= 0; depth--) node = findNodeAtLocation(tree, segments.slice(0, depth));
  return { kind, path: pathOf(segments), message, ...position(text, node?.offset, node?.length) };
}

/**
 * Problems found outside this module in each point of an experiment file (the trainer's checks of
 * the files and data a point names), placed in the text and said once as validation places its
 * own (sweepProblems.ts). For a file without a sweep, `perPoint` has one list.
 */
export function pointProblemsInText(text: string, expansion: SweepExpansion, perPoint: readonly (readonly PointProblem[])[]): ExperimentProblem[] {
  const tree = parseTree(text);
  const placed = placePointProblems(expansion, perPoint, (segments) => tree !== undefined && findNodeAtLocation(tree, [...segments]) !== undefined);
  return placed.map((problem) => ({
    ...locateIn(text, tree, problem.kind, problem.at, problem.message),
    path: pathOf(problem.segments),
    ...(expansion.axes.length > 0 ? { points: problem.points } : {}),
  }));
}

/** The JSON path segments of a field written as a path (`data.targets[1]`, as the data checks name it). */
export function fieldSegments(field: string): (string | number)[] {
  return [...field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map(([, name, index]) => (index === undefined ? name : Number(index)));
}

/** A problem found outside this module (the trainer's file checks), placed in the text like the others. */
export function problemAt(text: string, kind: ExperimentProblem['kind'], segments: readonly (string | number)[], message: string): ExperimentProblem {
  return locateIn(text, parseTree(text), kind, segments, message);
}

/**
 * problemAt for a field given as a path (`data.targets[1]`, as the data checks name it); with no
 * text (an experiment.json a run recorded) the problem carries the path alone.
 */
export function problemAtField(text: string | undefined, kind: ExperimentProblem['kind'], field: string, message: string): ExperimentProblem {
  const segments = fieldSegments(field);
  return text === undefined ? { kind, path: pathOf(segments), message } : problemAt(text, kind, segments, message);
}

function position(text: string, offset: number | undefined, length: number | undefined): Pick<ExperimentProblem, 'line' | 'column' | 'offset' | 'length'> {
  if (offset === undefined) return {};
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column, offset, length: length ?? 0 };
}

/** `file:line:column: path: message`, the form a terminal user can click. */
export function formatExperimentProblem(file: string, problem: ExperimentProblem): string {
  const where = problem.line ? `${file}:${problem.line}:${problem.column}` : file;
  return `${where}: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`;
}
