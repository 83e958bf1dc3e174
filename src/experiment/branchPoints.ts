import { ADAPTATION_LAYERS } from './adaptationLayers';
import type { Architecture } from './experiment';

type BuiltArchitecture = Exclude<Architecture, 'saved'>;

/**
 * Where online-kd splits a built-in architecture into a shared trunk and its branches (the
 * experiment's `method.branchAt`) unless told: LeNet-5 after pool1, so that conv2 onwards is per
 * branch; a ResNet after stage 2, so that stage 3 is per branch, as ONE splits its ResNets.
 */
const DEFAULT_BRANCH_POINTS: Record<BuiltArchitecture, string> = { lenet5: 'pool1', 'resnet-small': 'stage2', 'resnet-wide': 'stage2' };

/** LeNet-5's layers in the order they run (a branch point must come before the adaptation layer). */
const LENET5_LAYERS = ['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'fc1', 'fc2'];

/**
 * A ResNet's branch points: after its stem or a whole stage (its last block's output), the only
 * points every later layer reads through; its adaptation layer, the pooling, comes after them all.
 */
const RESNET_POINTS = ['stem', 'stage1', 'stage2', 'stage3'];

export function defaultBranchPoint(architecture: BuiltArchitecture): string {
  return DEFAULT_BRANCH_POINTS[architecture];
}

/**
 * The branch points of an architecture cut at `adaptAt`, in the order the layers run: each comes
 * before the adaptation layer, so that every branch has adaptation features of its own (which its
 * own discriminator reads). Pure, so that the editor and the trainer refuse a layer that does not
 * exist before anything is built.
 */
export function branchPointsBefore(architecture: BuiltArchitecture, adaptAt: string | undefined): string[] {
  if (architecture !== 'lenet5') return RESNET_POINTS;
  return LENET5_LAYERS.slice(0, LENET5_LAYERS.indexOf(adaptAt ?? ADAPTATION_LAYERS.lenet5[0]));
}
