import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startBackend } from '../../src/trainer/cli/startBackend';
import { blendTargets } from '../../src/trainer/training/steps';

// The blended target batch of DANN and KD-MTDA on several targets. Every image of target d is
// filled with 10 d + its index, so the blend reads as the images it took, in order.

/** `count` one-pixel images of target `domain`: 10 * domain + 0, 1, ... */
const target = (domain: number, count: number) =>
  tf.tensor4d(
    Array.from({ length: count }, (_, i) => 10 * domain + i),
    [count, 1, 1, 1],
  );

/** The blend of targets of these sizes, as the images it holds; checks that it leaves nothing else behind. */
function blendOf(...sizes: number[]): number[] {
  const targets = sizes.map((size, domain) => target(domain, size));
  const before = tf.memory().numTensors;
  const blend = blendTargets(targets);
  assert.equal(tf.memory().numTensors, before + 1, 'only the blend is left');
  assert.deepEqual(blend.shape.slice(1), [1, 1, 1]);
  const images = Array.from(blend.dataSync());
  tf.dispose([blend, ...targets]);
  return images;
}

before(() => startBackend('wasm', () => undefined));

describe('blendTargets', () => {
  it('one target: its batch, as a tensor of its own that the caller may dispose', () => {
    const only = target(0, 4);
    const blend = blendTargets([only]);
    assert.notEqual(blend, only);
    assert.deepEqual(Array.from(blend.dataSync()), [0, 1, 2, 3]);
    blend.dispose();
    assert.deepEqual(Array.from(only.dataSync()), [0, 1, 2, 3], 'the target batch outlives the blend');
    only.dispose();
  });

  it('an equal share from each target, in the targets’ order, the batch size of one', () => {
    assert.deepEqual(blendOf(4, 4), [0, 1, 10, 11]);
    assert.deepEqual(blendOf(6, 6, 6), [0, 1, 10, 11, 20, 21]);
  });

  it('a batch the targets do not divide: the first targets give one image more each, and none is left out', () => {
    assert.deepEqual(blendOf(5, 5), [0, 1, 2, 10, 11]);
    assert.deepEqual(blendOf(4, 4, 4), [0, 1, 10, 20]);
    assert.deepEqual(blendOf(7, 7, 7), [0, 1, 2, 10, 11, 20, 21]);
  });
});
