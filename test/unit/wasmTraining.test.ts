import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/trainer/backends/initBackend';
import { buildModel, type SplitClassifier } from '../../src/trainer/models/buildModel';

// End to end on the wasm backend: real conv nets from src/trainer/models, trained with tfjs's own
// autodiff and optimiser, so every kernel a step needs (and the training kernels added for wasm)
// runs in the combinations training produces.

function variablesOf(...models: LayersModel[]): tf.Variable[] {
  return models.flatMap((model) => model.trainableWeights.map((weight) => (weight as unknown as { val: tf.Variable }).val));
}

/** Two classes a conv net can tell apart: bright top half versus bright bottom half, plus noise. */
function halvesBatch(size: number, shape: [number, number, number], seed: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const labels = tf.tensor1d(
      Array.from({ length: size }, (_, i) => i % 2),
      'int32',
    );
    const [h, w, c] = shape;
    const rows = tf.reshape(tf.range(0, h), [1, h, 1, 1]);
    const top = tf.cast(tf.less(rows, h / 2), 'float32');
    const pattern = tf.add(tf.mul(tf.reshape(tf.cast(labels, 'float32'), [size, 1, 1, 1]), tf.sub(1, tf.mul(top, 2))), top);
    const x = tf.add<tf.Tensor4D>(tf.mul(tf.ones([size, h, w, c]), pattern), tf.randomNormal([size, h, w, c], 0, 0.3, 'float32', seed));
    return { x, y: tf.oneHot(labels, 2) as tf.Tensor2D };
  });
}

function trainStep(model: SplitClassifier, optimizer: tf.Optimizer, x: tf.Tensor, y: tf.Tensor, variables: tf.Variable[]): number {
  const cost = optimizer.minimize(
    () => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(y, model.head.apply(model.trunk.apply(x, { training: true })) as tf.Tensor),
    true,
    variables,
  )!;
  const value = cost.dataSync()[0];
  cost.dispose();
  return value;
}

describe('training on wasm', () => {
  before(async () => {
    const report = await initBackend({ backend: 'wasm', threads: 2 });
    assert.equal(report.name, 'wasm');
  });

  it('a LeNet-5 conv net learns a two-class task (the loss falls)', () => {
    const model = buildModel('lenet5', { inputShape: [12, 12, 1], classes: 2 });
    const variables = variablesOf(model.trunk, model.head);
    const optimizer = tf.train.momentum(0.05, 0.9);
    const losses: number[] = [];
    for (let step = 0; step < 40; step++) {
      const { x, y } = halvesBatch(16, [12, 12, 1], step);
      losses.push(trainStep(model, optimizer, x, y, variables));
      tf.dispose([x, y]);
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const first = mean(losses.slice(0, 5));
    const last = mean(losses.slice(-5));
    assert.ok(Number.isFinite(last), `losses: ${losses.join(', ')}`);
    assert.ok(last < 0.5 * first, `loss fell from ${first.toFixed(3)} to only ${last.toFixed(3)}`);
  });

  it('holds no more tensors, buffers or bytes after 100 steps of a batch-norm ResNet than after 5', () => {
    const model = buildModel('resnet-small', { inputShape: [8, 8, 3], classes: 2, width: 0.25 });
    const variables = variablesOf(model.trunk, model.head);
    const optimizer = tf.train.momentum(0.01, 0.9);
    const { x, y } = halvesBatch(4, [8, 8, 3], 1);
    const wasmHeap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    let baseline: tf.MemoryInfo | undefined;
    let heapAfterWarmUp = 0;
    for (let step = 1; step <= 100; step++) {
      assert.ok(Number.isFinite(trainStep(model, optimizer, x, y, variables)));
      if (step === 5) baseline = tf.memory();
      if (step === 20) heapAfterWarmUp = wasmHeap();
    }
    const now = tf.memory();
    assert.equal(now.numTensors, baseline!.numTensors, 'tensors');
    assert.equal(now.numDataBuffers, baseline!.numDataBuffers, 'backend buffers (intermediates inside kernels)');
    assert.equal(now.numBytes, baseline!.numBytes, 'bytes');
    assert.equal(wasmHeap(), heapAfterWarmUp, 'the wasm heap stopped growing');
    tf.dispose([x, y]);
  });
});
