import type { Experiment, ModelSpec } from './experiment';
import { featureMapLayers } from './featureMapLayers';

/** The methods with a teacher to distil from: kd.features applies to these alone. */
const DISTILLING_METHODS = ['kd-stda', 'kd-mtda', 'mt-mtda'];

/** The weight each loss gets when the file leaves it out: the AT paper's beta; FitNets' hint at unit weight. */
const DEFAULT_WEIGHT = { attention: 1000, hint: 1 } as const;

type Spec = Partial<Pick<ModelSpec, 'architecture' | 'depth'>>;

/** What is wrong with an experiment's kd.features, relative to its method and architectures (the raw document: any shape). */
export function featureDistillationProblems(value: unknown): { segments: (string | number)[]; message: string }[] {
  const document = value as { method?: { name?: unknown }; teacher?: Spec; student?: Spec; kd?: { features?: { layers?: unknown } } } | null;
  const features = document?.kd?.features;
  if (features === undefined || features === null || typeof features !== 'object') return [];
  const method = document?.method?.name;
  if (typeof method === 'string' && !DISTILLING_METHODS.includes(method)) {
    return [
      {
        segments: ['kd', 'features'],
        message: `kd.features distils a teacher's hidden layers into the student: it applies to ${DISTILLING_METHODS.join(', ')}, not ${method}`,
      },
    ];
  }
  const problems: { segments: (string | number)[]; message: string }[] = [];
  const layers = Array.isArray(features.layers) ? (features.layers as unknown[]) : undefined;
  for (const role of ['teacher', 'student'] as const) {
    const spec = document?.[role];
    if (typeof spec?.architecture !== 'string') continue;
    const maps = featureMapLayers(spec as Pick<ModelSpec, 'architecture' | 'depth'>);
    if (!maps) {
      if (!layers)
        problems.push({
          segments: ['kd', 'features'],
          message: `the ${role} is a ${spec.architecture} model, whose feature maps have no default: name them in kd.features.layers`,
        });
      continue;
    }
    layers?.forEach((pair, index) => {
      const name = (pair as Record<string, unknown> | null)?.[role];
      if (typeof name === 'string' && !maps.all.includes(name)) {
        problems.push({
          segments: ['kd', 'features', 'layers', index, role],
          message: `the ${role} (${spec.architecture}) has no feature map "${name}"; its feature maps: ${maps.all.join(', ')}`,
        });
      }
    });
  }
  return problems;
}

/** Fills kd.features.weight, whose default depends on the loss (a schema default cannot). */
export function withFeatureWeightDefault(experiment: Experiment): void {
  const features = experiment.kd?.features;
  if (features) features.weight ??= DEFAULT_WEIGHT[features.loss];
}
