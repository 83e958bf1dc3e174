import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/trainer/backends/initBackend';
import { locateNativePackage } from '../../src/trainer/backends/nativeTensorFlow';
import { batchNormTrainingGradKernel, batchNormTrainingKernel } from '../../src/trainer/backends/gradients/batchNormTraining';
import { batchNormalization, FusedBatchNormalization } from '../../src/trainer/models/batchNormalization';
import { assertClose, seededValues, type Tolerance } from './numericChecks';

// The batch-norm layer whose training step is one fused kernel (src/trainer/models/batchNormalization)
// against tfjs-layers' own layer with the same weights: output, all three gradients and the moving
// averages after a training call, on every backend that has the kernel.

function valuesFor(size: number, seed: number): Float32Array {
  return seededValues(size, seed, -1, 3);
}

interface Outcome {
  y: Float32Array;
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
}

/** One training call of `layer` on a fixed batch, differentiated through a fixed weighting. */
function trainingCall(layer: tfl.layers.Layer, shape: number[]): Outcome {
  const size = shape.reduce((a, b) => a * b);
  const channels = shape[shape.length - 1];
  const x = tf.variable(tf.tensor(valuesFor(size, 1), shape), true, `x${Math.random()}`);
  const weighting = tf.tensor(valuesFor(size, 2), shape);
  if (!layer.built) layer.build(shape);
  layer.setWeights([
    tf.tensor1d(valuesFor(channels, 3)),
    tf.tensor1d(valuesFor(channels, 4)),
    tf.tensor1d(valuesFor(channels, 5)),
    tf.abs(tf.tensor1d(valuesFor(channels, 6))),
  ]);
  const [gamma, beta] = layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  let y: Float32Array = new Float32Array();
  const { grads } = tf.variableGrads(() => {
    const out = layer.apply(x, { training: true }) as tf.Tensor;
    y = out.dataSync() as Float32Array;
    return tf.sum(tf.mul(out, weighting));
  }, [x, gamma, beta]);
  const [movingMean, movingVariance] = layer
    .getWeights()
    .slice(2)
    .map((w) => w.dataSync() as Float32Array);
  const outcome = {
    y,
    dx: grads[x.name].dataSync() as Float32Array,
    dgamma: grads[gamma.name].dataSync() as Float32Array,
    dbeta: grads[beta.name].dataSync() as Float32Array,
    movingMean,
    movingVariance,
  };
  tf.dispose([x, weighting, ...Object.values(grads)]);
  return outcome;
}

const TOLERANCE: Tolerance = { relative: 2e-4, absolute: 1e-5 };

const args = { axis: -1, momentum: 0.9, epsilon: 1e-5 };

function assertSameAsStock(backend: string): void {
  for (const shape of [
    [4, 5, 3, 6],
    [1, 3, 3, 2],
    [7, 5],
    [1, 4],
  ]) {
    const stock = trainingCall(tfl.layers.batchNormalization(args), shape);
    const fused = trainingCall(batchNormalization(args), shape);
    for (const key of Object.keys(stock) as (keyof Outcome)[]) assertClose(fused[key], stock[key], TOLERANCE, `${backend} ${shape.join('x')} ${key}`);
  }
}

/**
 * A layer without scale and/or offset against the stock layer with both, fixed at 1 and 0: the
 * output, the input's gradient and the moving averages after one training call.
 */
function assertPartialLayersTrain(backend: string): void {
  const shape = [3, 4, 2, 5];
  const size = shape.reduce((a, b) => a * b);
  const channels = shape[shape.length - 1];
  const run = (layer: tfl.layers.Layer, weights: (name: string) => tf.Tensor) =>
    tf.tidy(() => {
      const x = tf.tensor(valuesFor(size, 1), shape);
      layer.build(shape);
      layer.setWeights(layer.weights.map((w) => weights(w.originalName.split('/').pop()!)));
      let y: Float32Array = new Float32Array();
      const dx = tf
        .grad((input: tf.Tensor) => {
          const out = layer.apply(input, { training: true }) as tf.Tensor;
          y = out.dataSync() as Float32Array;
          return tf.sum(tf.mul(out, tf.tensor(valuesFor(size, 2), shape)));
        })(x)
        .dataSync() as Float32Array;
      return {
        y,
        dx,
        moving: layer
          .getWeights()
          .slice(-2)
          .map((w) => w.dataSync() as Float32Array),
      };
    });
  const stats = (name: string) => (name === 'moving_mean' ? tf.tensor1d(valuesFor(channels, 5)) : tf.abs(tf.tensor1d(valuesFor(channels, 6))));
  const neutral = (name: string) => (name === 'gamma' ? tf.ones([channels]) : name === 'beta' ? tf.zeros([channels]) : stats(name));
  const reference = run(tfl.layers.batchNormalization(args), neutral);
  for (const partial of [{ scale: false }, { center: false }, { scale: false, center: false }]) {
    const ours = run(batchNormalization({ ...args, ...partial }), neutral);
    const what = `${backend} ${JSON.stringify(partial)}`;
    assertClose(ours.y, reference.y, TOLERANCE, `${what} output`);
    assertClose(ours.dx, reference.dx, TOLERANCE, `${what} dx`);
    ours.moving.forEach((m, i) => assertClose(m, reference.moving[i], TOLERANCE, `${what} moving average ${i}`));
  }
}

/** The layer took the fused path: forward and gradient kernels both ran (else it fell back to stock). */
async function assertFusedKernelsRan(): Promise<void> {
  const layer = batchNormalization(args);
  const profile = await tf.profile(() => tf.tidy(() => void trainingCall(layer, [4, 3, 3, 2])));
  const names = profile.kernels.map((kernel) => kernel.name);
  assert.ok(names.includes(batchNormTrainingKernel) && names.includes(batchNormTrainingGradKernel), `kernels run: ${names.join(', ')}`);
}

/** Repeated training calls leave no data behind in the backend (counted there, not by tfjs). */
function assertFreesWhatItMakes(): void {
  const layer = batchNormalization(args);
  const backend = tf.backend() as unknown as { numDataIds(): number };
  tf.tidy(() => void trainingCall(layer, [8, 4, 4, 3]));
  const before = backend.numDataIds();
  for (let i = 0; i < 5; i++) tf.tidy(() => void trainingCall(layer, [8, 4, 4, 3]));
  assert.equal(backend.numDataIds(), before);
}

describe('batch normalisation with a fused training kernel', () => {
  it('saves as BatchNormalization and a saved BatchNormalization loads as the fused layer', async () => {
    await tf.setBackend('cpu');
    const input = tfl.input({ shape: [4, 4, 2] });
    const model = tfl.model({ inputs: input, outputs: batchNormalization({ ...args, name: 'bn' }).apply(input) as tfl.SymbolicTensor });
    const topology = model.toJSON(undefined, false) as { config: { layers: { class_name: string }[] } };
    assert.equal(topology.config.layers[1].class_name, 'BatchNormalization');
    const stockTopology: unknown = JSON.parse(JSON.stringify(topology));
    const loaded = await tfl.models.modelFromJSON({ modelTopology: stockTopology } as never);
    assert.ok(loaded.getLayer('bn') instanceof FusedBatchNormalization);
  });

  it('runs the stock layer where the backend has no fused kernel (cpu), and trains layers without scale or offset', async () => {
    await tf.setBackend('cpu');
    assert.equal(tf.getKernel(batchNormTrainingKernel, 'cpu'), undefined);
    assertSameAsStock('cpu');
    assertPartialLayersTrain('cpu');
  });

  it('matches the stock layer on wasm (XNNPACK passes), and frees what it makes', async () => {
    await initBackend('wasm');
    await assertFusedKernelsRan();
    assertSameAsStock('wasm');
    assertPartialLayersTrain('wasm');
    assertFreesWhatItMakes();
  });

  const native = locateNativePackage('@tensorflow/tfjs-node');
  it(
    'matches the stock layer on native TensorFlow (FusedBatchNormV3), and frees what it makes',
    { skip: native ? false : 'no native TensorFlow build here' },
    async () => {
      await initBackend('tensorflow');
      await assertFusedKernelsRan();
      assertSameAsStock('tensorflow');
      assertPartialLayersTrain('tensorflow');
      assertFreesWhatItMakes();
    },
  );
});
