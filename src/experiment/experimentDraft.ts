import path from 'node:path';
import schema from '../../schemas/experiment.schema.json';
import type { Architecture, MethodName } from './experiment';

/**
 * The pure half of KD-UDA: New Experiment: what each choice offers and means, and the experiment
 * file the choices make. The schema stays the one source of names, patterns and defaults; this
 * module only adds what a person needs to choose between them.
 */

export interface MethodInfo {
  /** One line for the quick pick. */
  summary: string;
  /** Whether the method trains a teacher (so the wizard asks for its architecture). */
  usesTeacher: boolean;
}

/** Keyed by every method name, so a method added to the type cannot be forgotten here. */
export const METHOD_INFO: Record<MethodName, MethodInfo> = {
  'source-only': { summary: 'Lower bound: the student trained on the source alone, no adaptation', usesTeacher: false },
  dann: { summary: 'The student adapted with a domain discriminator (targets blended), no distillation', usesTeacher: false },
  'kd-stda': { summary: 'A teacher adapted to one target, distilled into the student', usesTeacher: true },
  'kd-mtda': { summary: 'One teacher adapted to all targets blended, distilled into the student', usesTeacher: true },
  'mt-mtda': { summary: 'One teacher per target, all distilled into one student', usesTeacher: true },
  'online-kd': { summary: 'No teacher: the student as branches over a shared trunk, distilled from their aggregate (ONE)', usesTeacher: false },
};

/** In the schema's order. */
export const METHODS = schema.properties.method.properties.name.enum as MethodName[];

/** Why `method` cannot be chosen with this many targets, or undefined when it can. */
export function methodUnavailableReason(method: MethodName, targetCount: number): string | undefined {
  if (method === 'kd-stda' && targetCount !== 1) {
    return `kd-stda adapts to exactly one target (you chose ${targetCount}); use kd-mtda or mt-mtda for several`;
  }
  return undefined;
}

/** The method a wizard highlights: the single-target method for one target, else the multi-target one. */
export function recommendedMethod(targetCount: number): MethodName {
  return targetCount === 1 ? 'kd-stda' : 'kd-mtda';
}

const ARCHITECTURE_SUMMARY: Record<Architecture, string> = {
  lenet5: 'LeNet-5: the compact student',
  'resnet-small': 'ResNet (small): a larger student, or a light teacher',
  'resnet-wide': 'Wide ResNet: the teacher',
  saved: 'A tfjs layers model from disk (its model.json), with a new head for these classes',
};

/** In the schema's order. */
export const ARCHITECTURES = schema.definitions.model.properties.architecture.enum as Architecture[];

/**
 * Whether the architecture is a model file rather than a name the trainer builds: `saved` needs the
 * path of its model.json (its featureLayer has a default the trainer checks before any work).
 */
export function needsModelFile(architecture: Architecture): boolean {
  return architecture === 'saved';
}

export function architectureSummary(architecture: Architecture): string {
  return ARCHITECTURE_SUMMARY[architecture];
}

export const DEFAULT_STUDENT = schema.properties.student.default.architecture as Architecture;
export const DEFAULT_TEACHER = schema.properties.teacher.default.architecture as Architecture;

const NAME_PATTERN = new RegExp(schema.properties.name.pattern);

/** What is wrong with an experiment name (the schema's pattern), or undefined. */
export function experimentNameProblem(name: string): string | undefined {
  if (name === '') return 'A name is required';
  if (!NAME_PATTERN.test(name)) return `Only letters, digits, ".", "_" and "-" (the schema's name pattern ${schema.properties.name.pattern})`;
  return undefined;
}

export const EXPERIMENT_FILE_SUFFIX = '.kdexp.json';

/** A name that says what the experiment does, e.g. `kd-stda-mnist-to-mnist-photo`, free of `taken` names. */
export function suggestExperimentName(source: string, targets: readonly string[], method: MethodName, taken: (name: string) => boolean): string {
  const to = targets.length === 1 ? targets[0] : `${targets.length}-targets`;
  const base = `${method}-${source}-to-${to}`.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-{2,}/g, '-');
  for (let attempt = 1; ; attempt++) {
    const name = attempt === 1 ? base : `${base}-${attempt}`;
    if (!taken(name)) return name;
  }
}

/**
 * A path (`data.root`, a saved model's model.json) as the experiment file should say it: relative
 * to the file's folder when both lie in the same project folder (the project can move), else
 * absolute. Forward slashes, so the file reads the same on every system.
 */
export function pathForFile(target: string, experimentDir: string, projectDir: string | undefined): string {
  const inside = (dir: string, parent: string) => {
    const relative = path.relative(parent, dir);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  };
  if (projectDir === undefined || !inside(target, projectDir) || !inside(experimentDir, projectDir)) return target;
  const relative = path.relative(experimentDir, target).split(path.sep).join('/');
  return relative === '' ? '.' : relative.startsWith('..') ? relative : `./${relative}`;
}

export interface ModelChoice {
  architecture: Architecture;
  /** For `saved`: its model.json, as the file will say it (see pathForFile). */
  path?: string;
}

export interface NewExperimentChoices {
  name: string;
  /** As the file will say it (see pathForFile). */
  root: string;
  source: string;
  targets: readonly string[];
  /** The root holds its own train/ and test/ folders: the file reads them (`split.kind: "folders"`). */
  splitFolders?: boolean;
  method: MethodName;
  student: ModelChoice;
  /** Only for methods with a teacher. */
  teacher?: ModelChoice;
}

function modelSpec(role: 'student' | 'teacher', choice: ModelChoice): ModelChoice {
  if (!needsModelFile(choice.architecture)) return { architecture: choice.architecture };
  if (!choice.path) throw new Error(`${role}: architecture "${choice.architecture}" needs the path of its model.json`);
  return { architecture: choice.architecture, path: choice.path };
}

/**
 * The experiment file's content: the choices plus the schedule fields at their schema defaults, so
 * the knobs a user tunes first are in view. No "$schema": the extension's jsonValidation matches
 * `*.kdexp.json`, and a path into the installed extension would break on its next update.
 */
export function buildExperimentFile(choices: NewExperimentChoices): string {
  const problem = experimentNameProblem(choices.name);
  if (problem) throw new Error(`name "${choices.name}": ${problem}`);
  const usesTeacher = METHOD_INFO[choices.method].usesTeacher;
  if (usesTeacher && !choices.teacher) throw new Error(`method ${choices.method} trains a teacher: choose its architecture`);
  const experiment = {
    version: schema.properties.version.const,
    name: choices.name,
    data: {
      root: choices.root,
      source: choices.source,
      targets: [...choices.targets],
      ...(choices.splitFolders ? { split: { kind: 'folders' } } : {}),
    },
    ...(usesTeacher && choices.teacher ? { teacher: modelSpec('teacher', choices.teacher) } : {}),
    student: modelSpec('student', choices.student),
    method: { name: choices.method },
    epochs: schema.properties.epochs.default,
    batchSize: schema.properties.batchSize.default,
    seed: schema.properties.seed.default,
  };
  return `${JSON.stringify(experiment, null, 2)}\n`;
}
