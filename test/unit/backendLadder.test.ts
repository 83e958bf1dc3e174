import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../../src/trainer/backends/backendError';
import { parseBackendChoice, resolveBackendChoice } from '../../src/trainer/backends/backendChoice';
import { initBackend } from '../../src/trainer/backends/initBackend';

// Run as a child (see 'exits on its own'): start wasm with threads, compute, and just return.
if (process.env.KDUDA_BACKEND_CHILD === 'wasm-exit') {
  void initBackend({ backend: 'wasm', threads: 2 }).then((report) => {
    const sum = tf.sum(tf.matMul(tf.ones([64, 64]), tf.ones([64, 64]))).dataSync()[0];
    console.log(JSON.stringify({ threads: report.threads, sum }));
  });
} else {
  describe('backend choice', () => {
    it('accepts the ladder names and auto, and treats a missing value as auto', () => {
      for (const name of ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']) assert.equal(parseBackendChoice(name, 'test'), name);
      assert.equal(parseBackendChoice(undefined, 'test'), 'auto');
    });

    it('rejects an unknown name, saying where it came from and what is allowed', () => {
      assert.throws(
        () => parseBackendChoice('tpu', 'the experiment file (backend)'),
        (error: Error) =>
          error instanceof BackendError &&
          /unknown backend "tpu" in the experiment file/.test(error.message) &&
          /auto, tensorflow-gpu, tensorflow, wasm, cpu/.test(error.message),
      );
      assert.throws(() => parseBackendChoice(3, 'the kdUda.backend setting'), BackendError);
    });

    it('lets the experiment file decide, deferring to the setting when it says auto', () => {
      assert.equal(resolveBackendChoice('wasm', 'tensorflow'), 'wasm');
      assert.equal(resolveBackendChoice('auto', 'cpu'), 'cpu');
      assert.equal(resolveBackendChoice(undefined, undefined), 'auto');
      assert.throws(() => resolveBackendChoice('auto', 'webgpu'), /kdUda.backend setting/);
    });
  });

  describe('backend ladder (no native TensorFlow installed)', () => {
    let emptyNativeDir: string;
    const lines: string[] = [];
    before(() => {
      // Point the native search at an empty folder, so a developer's .native/ build is not found.
      emptyNativeDir = mkdtempSync(path.join(os.tmpdir(), 'kduda-native-'));
      process.env.KDUDA_NATIVE_DIR = emptyNativeDir;
    });
    after(() => {
      delete process.env.KDUDA_NATIVE_DIR;
      rmSync(emptyNativeDir, { recursive: true, force: true });
    });

    it('refuses an unknown backend name before trying anything', async () => {
      await assert.rejects(initBackend('tpu' as never), /unknown backend "tpu"/);
    });

    it('names the missing package and the fix when tensorflow-gpu is asked for, and does not fall back', async () => {
      await assert.rejects(initBackend('tensorflow-gpu'), (error: Error) => {
        assert.ok(error instanceof BackendError);
        assert.match(error.message, /backend "tensorflow-gpu" was asked for and could not be started/);
        assert.match(error.message, /@tensorflow\/tfjs-node-gpu is not installed/);
        assert.match(error.message, /fix: .*CUDA/);
        assert.equal(error.tried.length, 1, 'only the named rung is tried');
        return true;
      });
      assert.notEqual(tf.getBackend(), 'wasm', 'no silent fall to a slower rung');
    });

    it('names the missing package and both build routes when tensorflow is asked for', async () => {
      await assert.rejects(
        initBackend('tensorflow'),
        (error: Error) =>
          error instanceof BackendError &&
          /@tensorflow\/tfjs-node is not installed/.test(error.message) &&
          /setup:native -- --wheel/.test(error.message) &&
          /--libtensorflow/.test(error.message),
      );
    });

    it('auto walks down to wasm with threads and SIMD, recording why each higher rung was skipped', async () => {
      const report = await initBackend({ backend: 'auto', threads: 2 }, (line) => lines.push(line));
      assert.equal(report.name, 'wasm');
      assert.equal(tf.getBackend(), 'wasm');
      assert.equal(report.requested, 'auto');
      assert.equal(report.simd, true, 'Node 20 has wasm SIMD');
      assert.equal(report.threads, 2, 'two worker threads on request, whatever the core count');
      assert.deepEqual(
        report.skipped.map((s) => s.name),
        ['tensorflow-gpu', 'tensorflow'],
      );
      for (const skip of report.skipped) assert.ok(skip.reason && skip.fix, `${skip.name} has a reason and a fix`);
      assert.ok(report.library.includes('Conv2DBackpropFilter'), 'the training kernels are listed');
      assert.ok(
        lines.some((line) => line.startsWith('backend: wasm (@tensorflow/tfjs-backend-wasm')),
        lines.join('\n'),
      );
      assert.ok(
        lines.some((line) => line.startsWith('backend: skipped tensorflow: ')),
        lines.join('\n'),
      );
      // Neither native package is installed here: each is said once, without install steps nobody asked for.
      assert.deepEqual(
        lines.filter((line) => /tensorflow(-gpu)?\b.*not installed/.test(line)).map((line) => line.replace(/ \(looked in .*\)$/, '')),
        ['backend: skipped tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed', 'backend: skipped tensorflow: @tensorflow/tfjs-node is not installed'],
      );
      assert.doesNotThrow(() => JSON.stringify(report), 'the report goes into events as JSON');
    });

    it('gives the pure-JS cpu backend only by name, with a warning', async () => {
      const report = await initBackend('cpu');
      assert.equal(report.name, 'cpu');
      assert.equal(tf.getBackend(), 'cpu');
      assert.match(report.warnings.join(' '), /~400x slower/);
      assert.deepEqual(report.skipped, []);
      await initBackend('wasm');
      assert.equal(tf.getBackend(), 'wasm', 'wasm can be taken up again in the same process');
    });

    it('exits on its own after using wasm worker threads (no lingering workers)', () => {
      const started = Date.now();
      const child = spawnSync(process.execPath, [__filename], {
        env: { ...process.env, KDUDA_BACKEND_CHILD: 'wasm-exit' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(child.error, undefined, `the child did not exit by itself: ${child.error?.message}`);
      assert.equal(child.status, 0, child.stderr);
      const result: unknown = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}');
      assert.deepEqual(result, { threads: 2, sum: 64 * 64 * 64 });
      assert.ok(Date.now() - started < 30_000);
    });
  });
}
