import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
// A used import: the package marks its node entry side-effect free, which would drop the backend.
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { validateExperimentText } from '../../src/experiment/validateExperiment';
import { fileLoadHandler, fileSaveHandler, MODEL_JSON } from '../../src/trainer/checkpoints/fileModelIO';
import { createMethod } from '../../src/trainer/methods/createMethod';
import { aggregateLogits, ensembleDistillationLoss } from '../../src/trainer/losses/onlineDistillation';
import { buildAggregate, buildGate } from '../../src/trainer/models/branchEnsemble';
import { branchNet, branchPointLayer } from '../../src/trainer/models/branchedNet';
import { buildNet, trainableVariables, withSeededMathRandom } from '../../src/trainer/training/nets';
import { assertClose, seededValues } from './numericChecks';

// Online distillation's parts on the CPU backend: the gated aggregate and the branch's KD loss
// against hand-worked values and finite differences, the gate, the branched net (shared layers
// once, each branch deployable alone) and the aggregate as one loadable model.

let root: string;
before(async () => {
  assert.ok(version_cpu);
  await tf.setBackend('cpu');
  root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-online-'));
});
after(() => rm(root, { recursive: true, force: true }));

/** Central finite differences of a scalar function of a flat input, in float64 on the values tf gives. */
function finiteDifferences(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, step = 1e-2): Float32Array {
  const values = x.dataSync() as Float32Array;
  return Float32Array.from(values, (_, i) => {
    const shifted = (by: number) =>
      tf.tidy(
        () =>
          f(
            tf.tensor(
              Float32Array.from(values, (v, j) => (j === i ? v + by : v)),
              x.shape,
            ),
          ).dataSync()[0],
      );
    return (shifted(step) - shifted(-step)) / (2 * step);
  });
}

const softmax = (row: number[], temperature: number) => {
  const exps = row.map((v) => Math.exp(v / temperature));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / sum);
};

describe('the gated aggregate', () => {
  it('is each image’s gate-weighted sum of the branches’ logits', () => {
    const gate = tf.tensor2d([
      [0.25, 0.75],
      [1, 0],
    ]);
    const z1 = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const z2 = tf.tensor2d([
      [3, 2, -1],
      [0, 0, 9],
    ]);
    // row 1: 0.25 * [1, 2, 3] + 0.75 * [3, 2, -1]; row 2: branch 1 alone
    assertClose(aggregateLogits(gate, [z1, z2]).dataSync(), [2.5, 2, 0, 4, 5, 6], { absolute: 1e-6 });
    assert.throws(() => aggregateLogits(gate, [z1]), /weighs 2 branches, but 1/);
  });

  it('has the gradient finite differences give, for the gate and for every branch', () => {
    const gate = tf.tensor2d(seededValues(6, 1, 0, 1), [2, 3]);
    const branches = [2, 3, 4].map((seed) => tf.tensor2d(seededValues(8, seed, -2, 2), [2, 4]));
    const weights = tf.tensor2d(seededValues(8, 9, -1, 1), [2, 4]);
    const loss = (g: tf.Tensor, zs: tf.Tensor[]) => tf.sum<tf.Scalar>(tf.mul(aggregateLogits(g as tf.Tensor2D, zs as tf.Tensor2D[]), weights));
    const [gateGrad, ...branchGrads] = tf.grads((g: tf.Tensor, a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => loss(g, [a, b, c]))([gate, ...branches]);
    assertClose(
      gateGrad.dataSync(),
      finiteDifferences((g) => loss(g, branches), gate),
      { relative: 1e-3, absolute: 1e-3 },
      'dL/dg',
    );
    branchGrads.forEach((grad, i) => {
      const f = (z: tf.Tensor) =>
        loss(
          gate,
          branches.map((other, j) => (j === i ? z : other)),
        );
      assertClose(grad.dataSync(), finiteDifferences(f, branches[i]), { relative: 1e-3, absolute: 1e-3 }, `dL/dz${i + 1}`);
    });
  });
});

describe('a branch distilled toward the aggregate', () => {
  it('is T^2 KL(softmax(z_e/T) || softmax(z_i/T)), batch mean', () => {
    const ensemble = [
      [1, 0, -1],
      [0.5, 2, 0],
    ];
    const branch = [
      [0, 0, 0],
      [1, -1, 0.5],
    ];
    for (const temperature of [1, 2, 20]) {
      const perRow = ensemble.map((row, i) => {
        const p = softmax(row, temperature);
        const q = softmax(branch[i], temperature);
        return p.reduce((sum, pk, k) => sum + pk * Math.log(pk / q[k]), 0);
      });
      const expected = (temperature * temperature * (perRow[0] + perRow[1])) / 2;
      assertClose(ensembleDistillationLoss(tf.tensor2d(ensemble), tf.tensor2d(branch), temperature).dataSync()[0], expected, {
        relative: 1e-4,
        absolute: 1e-7,
      });
    }
    // Hand-worked, one image, T = 1: p = (e, 1)/(e + 1), q = (1/2, 1/2): p1 ln 2p1 + p2 ln 2p2 = 0.110945
    assertClose(ensembleDistillationLoss(tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 0]]), 1).dataSync()[0], 0.110945, { absolute: 1e-5 });
  });

  it('moves the branch, with the gradient finite differences give, and never the aggregate (held constant, as ONE detaches it)', () => {
    const ensemble = tf.tensor2d(seededValues(6, 4, -3, 3), [2, 3]);
    const branch = tf.tensor2d(seededValues(6, 5, -3, 3), [2, 3]);
    const temperature = 2;
    const [toEnsemble, toBranch] = tf.grads((e: tf.Tensor, b: tf.Tensor) => ensembleDistillationLoss(e as tf.Tensor2D, b as tf.Tensor2D, temperature))([
      ensemble,
      branch,
    ]);
    assertClose(toEnsemble.dataSync(), [0, 0, 0, 0, 0, 0], { absolute: 0 }, 'dKD/dz_e');
    const numeric = finiteDifferences((b) => ensembleDistillationLoss(ensemble, b as tf.Tensor2D, temperature), branch);
    assertClose(toBranch.dataSync(), numeric, { relative: 1e-3, absolute: 1e-4 }, 'dKD/dz_i');
    // and in closed form: T (q - p) / n per row
    const p = ensemble.arraySync().map((row) => softmax(row, temperature));
    const q = branch.arraySync().map((row) => softmax(row, temperature));
    assertClose(
      toBranch.dataSync(),
      q.flatMap((row, i) => row.map((qk, k) => (temperature * (qk - p[i][k])) / 2)),
      { absolute: 1e-5 },
    );
  });
});

describe('the gate', () => {
  it('pools a feature map to one softmax weight per branch and image; a vector goes in as it is', () => {
    const gate = withSeededMathRandom(1, () => buildGate([null, 6, 6, 4], 3));
    assert.deepEqual(
      gate.layers.map((layer) => layer.getClassName()),
      ['InputLayer', 'GlobalAveragePooling2D', 'Dense', 'BatchNormalization', 'ReLU', 'Softmax'],
    );
    const weights = (gate.predict(tf.tensor4d(seededValues(5 * 144, 2, -1, 1), [5, 6, 6, 4])) as tf.Tensor2D).arraySync();
    assert.equal(weights.length, 5);
    for (const row of weights) {
      assert.equal(row.length, 3);
      assert.ok(row.every((w) => w >= 0));
      assertClose(
        row.reduce((a, b) => a + b, 0),
        1,
        { absolute: 1e-6 },
      );
    }
    const flat = withSeededMathRandom(1, () => buildGate([null, 64], 2));
    assert.deepEqual(
      flat.layers.map((layer) => layer.getClassName()),
      ['InputLayer', 'Dense', 'BatchNormalization', 'ReLU', 'Softmax'],
    );
    assert.throws(() => buildGate([null, 3, 4], 2), /\[batch, features\] or \[batch, height, width, channels\]/);
  });
});

describe('the branched student', () => {
  const shape = { inputShape: [16, 16, 3] as [number, number, number], classes: 4 };
  const lenet = () => buildNet({ architecture: 'lenet5', width: 0.5 }, shape, 7);
  const branched = () => {
    const net = lenet();
    return branchNet(net, 'pool1', 3, (branch, build) => withSeededMathRandom(100 + branch, build));
  };

  it('shares the layers up to the branch point and gives each branch its own copy of the rest', () => {
    const { branches, shared } = branched();
    const variables = branches.map((branch) => trainableVariables(branch.trunk, branch.head));
    const sharedVariables = trainableVariables(shared);
    assert.equal(sharedVariables.length, 2, 'conv1 kernel and bias');
    for (const own of variables) assert.deepEqual(own.slice(0, 2), sharedVariables, 'every branch reads the one conv1');
    const rest = variables.map((own) => own.slice(2));
    assert.equal(new Set(rest.flat()).size, rest.flat().length, 'no two branches share a layer after the branch point');
    // The branches start apart: their conv2 kernels differ.
    assert.notDeepEqual(rest[0][0].dataSync(), rest[1][0].dataSync());
    // Branch 1 keeps LeNet-5's layer names (a LeNet-5 checkpoint), the others carry their suffix.
    assert.deepEqual(
      branches[0].trunk.layers.map((layer) => layer.name),
      lenet().trunk.layers.map((layer) => layer.name),
    );
    assert.deepEqual(branches[2].trunk.layers.map((layer) => layer.name).slice(1), ['conv1', 'pool1', 'conv2_b3', 'pool2_b3', 'flatten_b3']);
    assert.equal(branches[2].adaptAt, 'flatten_b3');
  });

  it('is one LeNet-5 per branch in parameters and weights: the shared layers and its own', () => {
    const { branches } = branched();
    const plain = lenet();
    for (const branch of branches) {
      assert.equal(branch.trunk.countParams() + branch.head.countParams(), plain.trunk.countParams() + plain.head.countParams());
    }
  });

  it('branches a ResNet after a whole stage, however deep', () => {
    const net = buildNet({ architecture: 'resnet-small', width: 0.25, depth: 2 }, shape, 3);
    assert.equal(branchPointLayer(net, 'stage2'), 'stage2_block2_relu');
    assert.equal(branchPointLayer(net, 'stem'), 'stem_relu');
    assert.throws(() => branchPointLayer(net, 'stage9'), /no branch point "stage9"/);
    const { branches, shared } = branchNet(net, 'stage2_block2_relu', 2, (branch, build) => withSeededMathRandom(branch, build));
    assert.deepEqual(shared.outputs[0].shape, [null, 8, 8, 16]);
    const x = tf.tensor4d(seededValues(2 * 16 * 16 * 3, 1, 0, 1), [2, 16, 16, 3]);
    for (const branch of branches) assert.deepEqual((branch.head.predict(branch.trunk.predict(x)) as tf.Tensor).shape, [2, 4]);
  });

  it('refuses to branch at its adaptation layer or at a layer it does not have', () => {
    assert.throws(() => branchNet(lenet(), 'flatten', 2, (_, build) => build()), /"flatten" is its adaptation layer/);
    assert.throws(() => branchNet(lenet(), 'fc9', 2, (_, build) => build()), /no trunk layer "fc9"/);
  });

  it('aggregates, as one model of stock layers that saves and loads, exactly what the training step computes', async () => {
    const net = branched();
    const gate = withSeededMathRandom(5, () => buildGate(net.shared.outputs[0].shape, 3));
    // Give the gate's batch norm statistics of its own, so inference is not the identity.
    gate.apply(tf.tensor4d(seededValues(4 * 8 * 8 * 3, 3, 0, 2), [4, 8, 8, 3]), { training: true });
    const aggregate = buildAggregate(net, gate, 4, 'aggregate');
    const x = tf.tensor4d(seededValues(3 * 16 * 16 * 3, 6, 0, 1), [3, 16, 16, 3]);
    const shared = net.shared.predict(x) as tf.Tensor;
    const expected = aggregateLogits(
      gate.predict(shared) as tf.Tensor2D,
      net.ownTrunks.map((own, i) => net.branches[i].head.predict(own.predict(shared)) as tf.Tensor2D),
    );
    const got = aggregate.predict(x) as tf.Tensor2D;
    assertClose(got.dataSync(), expected.dataSync(), { relative: 1e-5, absolute: 1e-6 });
    await aggregate.save(fileSaveHandler(path.join(root, 'aggregate')));
    const loaded = await tfl.loadLayersModel(fileLoadHandler(path.join(root, 'aggregate', MODEL_JSON)));
    assertClose((loaded.predict(x) as tf.Tensor).dataSync(), got.dataSync(), { absolute: 1e-6 });
    // The whole net once: shared layers, three branches, the gate.
    const branchParams = net.branches[0].trunk.countParams() + net.branches[0].head.countParams() - net.shared.countParams();
    assert.equal(aggregate.countParams(), net.shared.countParams() + 3 * branchParams + gate.countParams());
  });
});

describe('the online-kd method', () => {
  it('trains every variable once, with one optimiser: branch 1 with the other branches, the gate and discriminators as its extras', () => {
    const validated = validateExperimentText(
      JSON.stringify({ data: { root: '/d', source: 's', targets: ['t'] }, student: { architecture: 'lenet5', width: 0.5 }, method: { name: 'online-kd' } }),
      'o.kdexp.json',
    );
    assert.ok(validated.ok);
    const method = createMethod({ experiment: validated.experiment, shape: { inputShape: [16, 16, 3], classes: 4 }, targets: ['t'] });
    assert.equal(method.learners.length, 1);
    const [learner] = method.learners;
    assert.equal(learner.role, 'branch-1');
    assert.deepEqual(Object.keys(learner.extras).sort(), ['branch-2', 'branch-2-discriminator', 'branch-3', 'branch-3-discriminator', 'gate']);
    assert.equal(new Set(learner.variables).size, learner.variables.length, 'no variable twice');
    const everything = new Set(trainableVariables(learner.net.trunk, learner.net.head, learner.discriminator!, ...Object.values(learner.extras)));
    assert.deepEqual(new Set(learner.variables), everything);
    assert.deepEqual(
      method.views!.map((view) => view.role),
      ['branch-2', 'branch-3', 'aggregate'],
    );
    // every view's weights are the learner's
    for (const view of method.views!)
      for (const variable of trainableVariables(view.model)) assert.ok(everything.has(variable), `${view.role}: ${variable.name}`);
  });
});
