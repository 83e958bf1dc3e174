import * as tfl from '@tensorflow/tfjs-layers';
import type { SplitClassifier } from './modelTypes';
import { appliedAfter, reapply } from './reapplyLayers';

/**
 * One classifier made into K branches over a shared trunk (online distillation, ONE): the layers
 * up to `branchAt` are shared (one set of weights), every later layer, up to the logits, is one
 * copy per branch. Branch 1 is the net it was made from, layer names unchanged; branch i's own
 * layers carry the suffix `_b<i>`, so that the aggregate of all branches, one layers model, names
 * every weight once.
 */
export interface BranchedNet {
  /** The layer the branches split after. */
  branchAt: string;
  /** image -> the shared features (the output of `branchAt`): the part computed once for all branches. */
  shared: tfl.LayersModel;
  /** Each branch as a whole classifier, deployable alone: the shared layers, then its own. */
  branches: SplitClassifier[];
  /** Each branch's own trunk layers: shared features -> its adaptation features (its head then gives its logits). */
  ownTrunks: tfl.LayersModel[];
}

/** A fresh layer configured as `layer` (same class, so the project's own Conv2D and batch norm stay), under another name. */
function copyOf(layer: tfl.layers.Layer, name: string): tfl.layers.Layer {
  const Layer = layer.constructor as new (config: object) => tfl.layers.Layer;
  return new Layer({ ...layer.getConfig(), name });
}

/**
 * Branches `net` after its trunk layer `branchAt` into `count` branches. `seeded(branch, build)`
 * runs the building of branch `branch` (2..count; branch 1 is `net`'s own layers), where the new
 * layers draw their initial weights: under a seed of that branch's own, the branches start apart.
 */
export function branchNet(net: SplitClassifier, branchAt: string, count: number, seeded: <T>(branch: number, build: () => T) => T): BranchedNet {
  const trunkLayers = net.trunk.layers;
  const branchLayer = trunkLayers.find((layer) => layer.name === branchAt);
  if (!branchLayer) throw new Error(`${net.name} has no trunk layer "${branchAt}" to branch after`);
  const sharedFeatures = branchLayer.inboundNodes[0].outputTensors[0];
  const trunkTail = appliedAfter(net.trunk, branchAt);
  if (trunkTail.length === 0) throw new Error(`${net.name}: "${branchAt}" is its adaptation layer; the branches must split before it`);
  const headLayers = appliedAfter(net.head, undefined);
  const shared = tfl.model({ inputs: net.trunk.inputs, outputs: sharedFeatures, name: `${net.trunk.name}_shared` });
  const branches: SplitClassifier[] = [];
  const ownTrunks: tfl.LayersModel[] = [];
  for (let branch = 1; branch <= count; branch++) {
    const suffix = branch === 1 ? '' : `_b${branch}`;
    const build = () => {
      const copies = new Map<tfl.layers.Layer, tfl.layers.Layer>();
      // Branch 1 reuses the net's layers; another branch applies a copy of each, made once, wherever the layer appears.
      const layerFor = (layer: tfl.layers.Layer) => {
        if (branch === 1) return layer;
        if (!copies.has(layer)) copies.set(layer, copyOf(layer, `${layer.name}${suffix}`));
        return copies.get(layer)!;
      };
      const ownInput = tfl.input({ shape: sharedFeatures.shape.slice(1), name: `shared_features${suffix}` });
      const ownTrunk = tfl.model({
        inputs: ownInput,
        outputs: reapply(trunkTail, sharedFeatures, ownInput, net.trunk.outputs[0], layerFor),
        name: `${net.trunk.name}_own${suffix}`,
      });
      if (branch === 1) return { net, ownTrunk };
      const trunk = tfl.model({
        inputs: net.trunk.inputs,
        outputs: reapply(trunkTail, sharedFeatures, sharedFeatures, net.trunk.outputs[0], layerFor),
        name: `${net.trunk.name}${suffix}`,
      });
      const headInput = tfl.input({ shape: [net.adaptationSize], name: `adaptation_features${suffix}` });
      const head = tfl.model({
        inputs: headInput,
        outputs: reapply(headLayers, net.head.inputs[0], headInput, net.head.outputs[0], layerFor),
        name: `${net.head.name}${suffix}`,
      });
      return { net: { ...net, trunk, head, adaptAt: `${net.adaptAt}${suffix}` }, ownTrunk };
    };
    const built = branch === 1 ? build() : seeded(branch, build);
    branches.push(built.net);
    ownTrunks.push(built.ownTrunk);
  }
  return { branchAt, shared, branches, ownTrunks };
}

/**
 * The trunk layer a branch point (experiment/branchPoints.ts) names in a built net: LeNet-5's
 * points are its layer names; a ResNet's `stem` is the stem's ReLU and `stage<n>` the output of
 * the stage's last block, however deep the stage is.
 */
export function branchPointLayer(net: SplitClassifier, point: string): string {
  if (net.name === 'lenet5') return point;
  if (point === 'stem') return 'stem_relu';
  const stage = /^stage(\d+)$/.exec(point)?.[1];
  const blockEnds = net.trunk.layers.filter((layer) => new RegExp(`^stage${stage}_block\\d+_relu$`).test(layer.name));
  if (!stage || blockEnds.length === 0) throw new Error(`${net.name} has no branch point "${point}"`);
  return blockEnds[blockEnds.length - 1].name;
}
