import { ADAPTATION_LAYERS } from './adaptationLayers';
import type { Experiment } from './experiment';
import { branchPointsBefore } from './branchPoints';

type Problem = { segments: (string | number)[]; message: string };

/**
 * online-kd's rules between fields (validateExperiment.ts reports them with the others): its
 * student is branched, so it must be a built architecture, trained from scratch, split at a
 * layer before its adaptation layer.
 */
export function onlineKdProblems(value: unknown): Problem[] {
  const document = value as {
    method?: { name?: unknown; branchAt?: unknown };
    student?: { architecture?: unknown; adaptAt?: unknown; warmStart?: unknown };
  } | null;
  const method = document?.method;
  // Another method ignores branches and branchAt, as online-kd ignores alpha and beta: the editor's
  // completions offer every method's fields, and each must be accepted where it is offered.
  if (method?.name !== 'online-kd') return [];
  const problems: Problem[] = [];
  const student = document?.student;
  const architecture = student?.architecture ?? 'lenet5';
  if (architecture === 'saved') {
    problems.push({
      segments: ['student', 'architecture'],
      message: 'online-kd builds the student as branches of a named architecture (lenet5, resnet-small, resnet-wide); a saved model cannot be branched',
    });
  }
  if (student?.warmStart !== undefined) {
    problems.push({ segments: ['student', 'warmStart'], message: 'online-kd trains its branches from scratch in one stage; it takes no warm start' });
  }
  // Own keys only: "constructor" must read as an unknown architecture, not Object's.
  if (typeof method.branchAt === 'string' && typeof architecture === 'string' && Object.hasOwn(ADAPTATION_LAYERS, architecture)) {
    const built = architecture as keyof typeof ADAPTATION_LAYERS;
    const adaptAt = typeof student?.adaptAt === 'string' ? student.adaptAt : ADAPTATION_LAYERS[built][0];
    const points = branchPointsBefore(built, adaptAt);
    if (!points.includes(method.branchAt)) {
      problems.push({
        segments: ['method', 'branchAt'],
        message: `the ${architecture} student (adaptation layer ${adaptAt}) cannot branch after "${method.branchAt}"; it can branch after ${points.join(', ')} (a layer before its adaptation layer)`,
      });
    }
  }
  return problems;
}

/** ONE's three branches. */
const DEFAULT_BRANCHES = 3;

/**
 * Fills method.branches for online-kd alone: a schema default would write it into every method's
 * experiment.json, and a sweep would then no longer recognise the runs it made before.
 */
export function withBranchesDefault(experiment: Experiment): void {
  if (experiment.method.name === 'online-kd') experiment.method.branches ??= DEFAULT_BRANCHES;
}
