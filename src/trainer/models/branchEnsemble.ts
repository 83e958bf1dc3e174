import * as tfl from '@tensorflow/tfjs-layers';
import { batchNormalization } from './batchNormalization';
import type { BranchedNet } from './branchedNet';
import { applyLayersOf } from './reapplyLayers';

type Symbolic = tfl.SymbolicTensor;

/**
 * ONE's gate (Lan et al. 2018, the `control_v1` of their code): the shared features averaged over
 * space, a linear layer to one score per branch, batch norm, ReLU, softmax: g = softmax(ReLU(BN(W
 * pool(S) + b))), a weight per branch and image that sums to 1. Shared features that are already a
 * vector (a LeNet-5 split after flatten or fc1) go in as they are.
 */
export function buildGate(sharedShape: readonly (number | null)[], branches: number): tfl.LayersModel {
  const input = tfl.input({ shape: sharedShape.slice(1), name: 'gate_features' });
  let x: Symbolic = input;
  if (sharedShape.length === 4) x = tfl.layers.globalAveragePooling2d({ name: 'gate_pool' }).apply(x) as Symbolic;
  else if (sharedShape.length !== 2) throw new Error(`the gate reads [batch, features] or [batch, height, width, channels], not [${sharedShape.join(', ')}]`);
  x = tfl.layers.dense({ units: branches, name: 'gate_fc' }).apply(x) as Symbolic;
  x = batchNormalization({ name: 'gate_bn' }).apply(x) as Symbolic;
  x = tfl.layers.reLU({ name: 'gate_relu' }).apply(x) as Symbolic;
  x = tfl.layers.softmax({ name: 'gate_softmax' }).apply(x) as Symbolic;
  return tfl.model({ inputs: input, outputs: x, name: 'gate' });
}

/**
 * The aggregate of the branches as one layers model, image -> z_e = sum_i g_i z_i: the shared
 * layers once, every branch, the gate on the shared features, and the gate-weighted sum of the
 * branches' logits. It is what evaluation scores and a checkpoint holds as the `aggregate`, loadable
 * with stock layers only (the sum is a batch dot of g [K] with the stacked logits [K, C]).
 */
export function buildAggregate(net: BranchedNet, gate: tfl.LayersModel, classes: number, name: string): tfl.LayersModel {
  const [first] = net.branches;
  const shared = first.trunk.getLayer(net.branchAt).inboundNodes[0].outputTensors[0];
  // Heads and gate pasted in layer by layer: a checkpoint whose models are not nested reads as one
  // graph (the checkpoint diff probes every layer of it; it expects one nested model, a head).
  const rows = net.branches.map((branch, index) => {
    const logits = applyLayersOf(branch.head, branch.trunk.outputs[0]);
    return tfl.layers.reshape({ targetShape: [1, classes], name: `aggregate_branch${index + 1}` }).apply(logits) as Symbolic;
  });
  const stacked = tfl.layers.concatenate({ axis: 1, name: 'aggregate_stack' }).apply(rows) as Symbolic;
  const weights = applyLayersOf(gate, shared);
  const logits = tfl.layers.dot({ axes: 1, name: 'aggregate_logits' }).apply([weights, stacked]) as Symbolic;
  return tfl.model({ inputs: first.trunk.inputs, outputs: logits, name });
}
