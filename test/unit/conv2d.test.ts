import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { conv2d, LazyGradientConv2D } from '../../src/trainer/models/conv2d';
import { assertClose, seededValues, type Tolerance } from './numericChecks';

// The Conv2D layer that leaves gradients nobody asked for uncomputed (src/trainer/models/conv2d)
// against tfjs-layers' own, with the same weights: same outputs and kernel gradients, and no
// Conv2DBackpropInput for a convolution whose input is the image.

function valuesFor(size: number, seed: number): Float32Array {
  return seededValues(size, seed, -1, 1);
}

interface Outcome {
  y: Float32Array;
  grads: Float32Array[];
  inputGradients: number;
}

async function trainingCall(layer: tfl.layers.Layer, shape: [number, number, number, number]): Promise<Outcome> {
  const image = tf.tensor4d(
    valuesFor(
      shape.reduce((a, b) => a * b),
      1,
    ),
    shape,
  );
  if (!layer.built) layer.build(shape);
  layer.setWeights(layer.getWeights().map((w, i) => tf.tensor(valuesFor(w.size, 10 + i), w.shape)));
  const variables = layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  let y: Float32Array = new Float32Array();
  let grads: Float32Array[] = [];
  const profile = await tf.profile(() => {
    const result = tf.variableGrads(() => {
      const out = layer.apply(image, { training: true }) as tf.Tensor;
      y = out.dataSync() as Float32Array;
      return tf.sum(tf.mul(out, tf.tensor(valuesFor(out.size, 2), out.shape)));
    }, variables);
    grads = variables.map((v) => result.grads[v.name].dataSync() as Float32Array);
    tf.dispose([result.value, ...Object.values(result.grads)]);
  });
  image.dispose();
  return { y, grads, inputGradients: profile.kernels.filter((k) => k.name === 'Conv2DBackpropInput').length };
}

const TOLERANCE: Tolerance = { relative: 1e-5, absolute: 1e-6 };

describe('Conv2D with lazily computed gradients', () => {
  for (const args of [
    { filters: 4, kernelSize: 3, strides: 2, padding: 'same' as const, useBias: false },
    { filters: 3, kernelSize: 5, padding: 'valid' as const, activation: 'relu' as const },
    { filters: 2, kernelSize: 3, padding: 'same' as const },
  ]) {
    it(`matches the stock layer and skips the image's gradient: ${JSON.stringify(args)}`, async () => {
      await tf.setBackend('cpu');
      const shape: [number, number, number, number] = [2, 9, 9, 3];
      const stock = await trainingCall(tfl.layers.conv2d(args), shape);
      const lazy = await trainingCall(conv2d(args), shape);
      assertClose(lazy.y, stock.y, TOLERANCE, 'output');
      lazy.grads.forEach((g, i) => assertClose(g, stock.grads[i], TOLERANCE, `gradient ${i}`));
      assert.equal(lazy.inputGradients, 0);
    });
  }

  it('the stock layer does compute the unused input gradient (what the class exists for)', async () => {
    await tf.setBackend('cpu');
    const stock = await trainingCall(tfl.layers.conv2d({ filters: 4, kernelSize: 3, useBias: false }), [2, 9, 9, 3]);
    assert.equal(stock.inputGradients, 1);
  });

  it('saves as Conv2D and a saved Conv2D loads as this class', async () => {
    const input = tfl.input({ shape: [6, 6, 1] });
    const model = tfl.model({ inputs: input, outputs: conv2d({ filters: 2, kernelSize: 3, name: 'c' }).apply(input) as tfl.SymbolicTensor });
    const topology = model.toJSON(undefined, false) as { config: { layers: { class_name: string }[] } };
    assert.equal(topology.config.layers[1].class_name, 'Conv2D');
    const stockTopology: unknown = JSON.parse(JSON.stringify(topology));
    const loaded = await tfl.models.modelFromJSON({ modelTopology: stockTopology } as never);
    assert.ok(loaded.getLayer('c') instanceof LazyGradientConv2D);
  });
});
