import { ADAPTATION_LAYERS } from './adaptationLayers';
import type { Architecture } from './experiment';

type BuiltArchitecture = Exclude<Architecture, 'saved'>;

/**
 * Where online-kd may split a built-in architecture into a shared trunk and its branches (the
 * experiment's `method.branchAt`), in the order the layers run, the default first. A ResNet splits
 * after a whole stem or stage (its last block's output), the only points every later layer reads
 * through; ONE splits ResNets after stage 2, so that stage 3 is per branch. LeNet-5 splits after
 * pool1 by default, so that conv2 onwards is per branch. Pure, so the editor and the trainer refuse
 * a layer that does not exist before anything is built.
 */
const BRANCH_POINTS: Record<BuiltArchitecture, readonly string[]> = {
  lenet5: ['pool1', 'conv1', 'conv2', 'pool2', 'flatten', 'fc1'],
  'resnet-small': ['stage2', 'stem', 'stage1', 'stage3'],
  'resnet-wide': ['stage2', 'stem', 'stage1', 'stage3'],
};

/** LeNet-5's layers as they run: a branch point must come before the adaptation layer. */
const LENET5_ORDER = ['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'fc1', 'fc2'];

export function defaultBranchPoint(architecture: BuiltArchitecture): string {
  return BRANCH_POINTS[architecture][0];
}

/**
 * The branch points of an architecture cut at `adaptAt`, in the order the layers run: each must
 * come before the adaptation layer, so that every branch has its own adaptation features (and
 * its own discriminator reads them). A ResNet's adaptation layer is its pooling after stage 3.
 */
export function branchPointsBefore(architecture: BuiltArchitecture, adaptAt: string | undefined): string[] {
  if (architecture !== 'lenet5') return ['stem', 'stage1', 'stage2', 'stage3'];
  const cut = LENET5_ORDER.indexOf(adaptAt ?? ADAPTATION_LAYERS.lenet5[0]);
  return LENET5_ORDER.slice(0, cut).filter((layer) => BRANCH_POINTS.lenet5.includes(layer));
}
