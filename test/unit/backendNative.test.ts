import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/trainer/backends/initBackend';
import { findProjectRoot, locateNativePackage } from '../../src/trainer/backends/nativeTensorFlow';
import { buildModel } from '../../src/trainer/models/buildModel';

// The native route: tfjs-node built by `npm run setup:native` against a local TensorFlow. Building
// takes ~40 s plus the npm download, too long for a unit test, so this checks a built result when
// there is one (CI builds it first where the machine has a TensorFlow wheel: see README).

const root = findProjectRoot(__dirname)!;
const built = locateNativePackage('@tensorflow/tfjs-node');

/** A TensorFlow CPU wheel this machine image carries, if any (KDUDA_TF_WHEEL names one elsewhere). */
function localWheel(): string | undefined {
  if (process.env.KDUDA_TF_WHEEL) return process.env.KDUDA_TF_WHEEL;
  try {
    const folder = '/opt/pypi/files';
    const wheel = readdirSync(folder).find((name) => /^tensorflow_cpu-.*\.whl$/.test(name));
    return wheel && path.join(folder, wheel);
  } catch {
    return undefined;
  }
}

const skipReason = built
  ? false
  : localWheel()
    ? `a TensorFlow wheel is at ${localWheel()} but tfjs-node is not built: run \`npm run setup:native -- --wheel ${localWheel()}\``
    : 'no native TensorFlow here (no TensorFlow wheel, no .native/ build); the wasm tests cover training';

describe('native TensorFlow backend (tfjs-node built from a local library)', { skip: skipReason }, () => {
  it('is chosen by auto, reports TensorFlow and why the GPU rung was skipped, and trains a conv net', async () => {
    const lines: string[] = [];
    const report = await initBackend('auto', (line) => lines.push(line));
    assert.equal(report.name, 'tensorflow', lines.join('\n'));
    assert.equal(tf.getBackend(), 'tensorflow');
    assert.match(report.library, /^TensorFlow \d+\.\d+/);
    assert.equal(report.version, tf.version_core);
    assert.equal(report.skipped[0]?.name, 'tensorflow-gpu');

    const model = buildModel('lenet5', { inputShape: [12, 12, 1], classes: 2 });
    const variables = [model.trunk, model.head].flatMap((m: LayersModel) => m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
    const optimizer = tf.train.momentum(0.05, 0.9);
    const x = tf.concat([tf.ones([8, 6, 12, 1]), tf.zeros([8, 6, 12, 1])], 1);
    const flipped = tf.reverse(x, 1);
    const images = tf.concat([x, flipped], 0);
    const labels = tf.oneHot(tf.tensor1d([...Array<number>(8).fill(0), ...Array<number>(8).fill(1)], 'int32'), 2);
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      const cost = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(labels, model.head.apply(model.trunk.apply(images, { training: true })) as tf.Tensor),
        true,
        variables,
      )!;
      losses.push(cost.dataSync()[0]);
      cost.dispose();
    }
    assert.ok(losses[losses.length - 1] < 0.5 * losses[0], `losses: ${losses.map((l) => l.toFixed(3)).join(', ')}`);
  });

  it('its Step and ReLU-gradient kernels (one TensorFlow op each) keep tfjs semantics', async () => {
    await initBackend('tensorflow');
    const x = tf.tensor1d([NaN, -2, 0, 0.5, 3]);
    assert.deepEqual(Array.from(tf.step(x).dataSync()), [NaN, 0, 0, 1, 1]);
    assert.deepEqual(Array.from(tf.step(x, 0.25).dataSync()), [NaN, 0.25, 0.25, 1, 1], 'alpha != 0 goes to the stock kernel');
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), tf.tensor1d([1, 2, 3, 4, 5]))))(tf.tensor1d([-1, -0.5, 0, 0.5, 3]));
    assert.deepEqual(Array.from(dx.dataSync()), [0, 0, 0, 4, 5]);
    tf.dispose([x, dx]);
  });

  it('loads whatever the trainer command line holds (node-pre-gyp once read --dir as its own --directory)', () => {
    const probe = `require(${JSON.stringify(path.join(root, 'out', 'test', 'fixtures', 'nativeLoadProbe.js'))})`;
    const run = spawnSync(process.execPath, ['-e', probe, '--', 'demo', '--dir', '/nonexistent-demo-dir'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^backend: tensorflow$/m, run.stdout + run.stderr);
  });

  it('setup:native sees the build is current and does not rebuild it', { skip: localWheel() ? false : 'no wheel to compare the build against' }, () => {
    const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'setup-native.mjs'), '--wheel', localWheel()!], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /already staged/);
    assert.match(run.stdout, /binding already built/);
    assert.match(run.stdout, /ready in \d+ s: @tensorflow\/tfjs-node/);
  });
});

describe('setup:native input checks', () => {
  const script = path.join(root, 'scripts', 'setup-native.mjs');
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const clean = { ...process.env, ...env };
    if (!('KDUDA_TF_WHEEL' in env)) delete clean.KDUDA_TF_WHEEL;
    delete clean.KDUDA_LIBTENSORFLOW;
    return spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', env: clean, timeout: 30_000 });
  };

  it('does nothing, successfully, when no TensorFlow library is given', () => {
    const result = run([]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /nothing to do/);
  });

  it('names a missing file and an unknown kind of file', () => {
    const missing = run(['--wheel', '/nonexistent/tensorflow.whl']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /\/nonexistent\/tensorflow\.whl does not exist/);
    const wrongKind = run([], { KDUDA_TF_WHEEL: __filename });
    assert.equal(wrongKind.status, 1);
    assert.match(wrongKind.stderr, /expected a TensorFlow wheel \(\.whl\) or a libtensorflow tarball/);
  });
});
