import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { RungFailure } from '../../src/trainer/backends/backendError';
import { loadNativeTensorFlow } from '../../src/trainer/backends/nativeTensorFlow';

// loadNativeTensorFlow's own checks, without a TensorFlow: a stand-in tfjs-node (in a folder that
// KDUDA_NATIVE_DIR names) registers a 'tensorflow' backend that cannot start. tf.setBackend is
// async; the loader once tested its Promise for truthiness, so a backend that failed to start was
// reported as started (and its rejection went unhandled).

const HOOK = '__kdudaStandInNativeLoad';
type Hooked = Record<typeof HOOK, (() => void) | undefined>;

const folder = mkdtempSync(path.join(os.tmpdir(), 'kd-uda-native-stand-in-'));
const packageDir = path.join(folder, 'node_modules', '@tensorflow', 'tfjs-node');
mkdirSync(packageDir, { recursive: true });
writeFileSync(path.join(packageDir, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version: tf.version_core, main: 'index.js' }));
// The stand-in calls back into this test, so that it registers into the same tfjs engine.
writeFileSync(path.join(packageDir, 'index.js'), `globalThis.${HOOK}();\n`);

class StandInBackend extends tf.KernelBackend {}

describe('loadNativeTensorFlow (a stand-in tfjs-node)', () => {
  const savedDir = process.env.KDUDA_NATIVE_DIR;
  process.env.KDUDA_NATIVE_DIR = folder;
  after(() => {
    if (savedDir === undefined) delete process.env.KDUDA_NATIVE_DIR;
    else process.env.KDUDA_NATIVE_DIR = savedDir;
    delete (globalThis as unknown as Partial<Hooked>)[HOOK];
    rmSync(folder, { recursive: true, force: true });
  });

  it('fails the rung, with the reason, when the TensorFlow backend does not start', async () => {
    (globalThis as unknown as Hooked)[HOOK] = () => {
      tf.registerBackend('tensorflow', () => new StandInBackend());
      // What makes tf.setBackend('tensorflow') reject: a kernel whose per-backend setup throws.
      tf.registerKernel({
        kernelName: 'KdUdaStandInProbe',
        backendName: 'tensorflow',
        kernelFunc: () => [],
        setupFunc: () => {
          throw new Error('libtensorflow has no usable device');
        },
      });
    };
    await assert.rejects(loadNativeTensorFlow('tensorflow'), (error: unknown) => {
      assert.ok(error instanceof RungFailure, String(error));
      assert.equal(error.rung, 'tensorflow');
      assert.match(error.message, /^@tensorflow\/tfjs-node could not start its TensorFlow backend: libtensorflow has no usable device$/);
      return true;
    });
  });
});
