import type { FeatureLayerPair, ModelSpec } from './experiment';

/**
 * The layers of each built-in architecture whose outputs are spatial feature maps ([h, w, c]),
 * which feature distillation may read, and the last map of each stage, its default. Pure, so that
 * an experiment naming a layer that is no feature map is refused before anything is built. A
 * `saved` backbone's maps are only known from its model file: its layers must be named.
 */
export function featureMapLayers(spec: Pick<ModelSpec, 'architecture' | 'depth'>): { all: string[]; stageEnds: string[] } | undefined {
  switch (spec.architecture) {
    case 'lenet5':
      return { all: ['conv1', 'pool1', 'conv2', 'pool2'], stageEnds: ['pool1', 'pool2'] };
    case 'resnet-small':
    case 'resnet-wide': {
      // Mirrors the builders: resnet-wide is resnet-small two blocks deep unless told otherwise.
      const depth = spec.depth ?? (spec.architecture === 'resnet-wide' ? 2 : 1);
      const blocks = [1, 2, 3].map((stage) => Array.from({ length: depth }, (_, block) => `stage${stage}_block${block + 1}_relu`));
      return { all: ['stem_relu', ...blocks.flat()], stageEnds: blocks.map((stage) => stage[stage.length - 1]) };
    }
    default:
      return undefined;
  }
}

/**
 * The default pairs: the last map of each stage, the deepest stages of the two networks paired
 * with each other, as many pairs as the shallower network has stages (a LeNet-5 student of a
 * ResNet teacher: pool1 with stage 2, pool2 with stage 3).
 */
export function defaultFeaturePairs(
  teacher: Pick<ModelSpec, 'architecture' | 'depth'>,
  student: Pick<ModelSpec, 'architecture' | 'depth'>,
): FeatureLayerPair[] | undefined {
  const teacherEnds = featureMapLayers(teacher)?.stageEnds;
  const studentEnds = featureMapLayers(student)?.stageEnds;
  if (!teacherEnds || !studentEnds) return undefined;
  const count = Math.min(teacherEnds.length, studentEnds.length);
  return Array.from({ length: count }, (_, i) => ({
    teacher: teacherEnds[teacherEnds.length - count + i],
    student: studentEnds[studentEnds.length - count + i],
  }));
}
