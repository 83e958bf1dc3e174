import { buildResnetSmall } from './resnetSmall';
import type { ModelOptions, SplitClassifier } from './modelTypes';

/**
 * Teacher: the small ResNet made twice as wide and two blocks per stage deep by default, so that
 * the teacher has markedly more capacity than any student while sharing one well-tested builder.
 */
export function buildResnetWide(options: ModelOptions): SplitClassifier {
  return buildResnetSmall({ ...options, width: 2 * (options.width ?? 1), depth: options.depth ?? 2 });
}
