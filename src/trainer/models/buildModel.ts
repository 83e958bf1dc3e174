import { buildLenet5 } from './lenet5';
import type { ModelName, ModelOptions, SplitClassifier } from './modelTypes';
import { buildResnetSmall } from './resnetSmall';

export type { ModelName, ModelOptions, SplitClassifier } from './modelTypes';

const builders: Record<ModelName, (options: ModelOptions) => SplitClassifier> = {
  lenet5: buildLenet5,
  'resnet-small': buildResnetSmall,
};

export const modelNames = Object.keys(builders) as ModelName[];

/** Builds a named architecture as a feature extractor plus a linear classifier head. */
export function buildModel(name: ModelName, options: ModelOptions): SplitClassifier {
  const build = builders[name];
  if (!build) throw new Error(`unknown model "${name}"; known: ${modelNames.join(', ')}`);
  return build(options);
}
