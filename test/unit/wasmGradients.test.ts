import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { loadWasmBackend } from '../../src/trainer/backends/wasmBackend';
import { assertClose, type Tolerance } from './numericChecks';

// The wasm training kernels (src/trainer/backends/wasmKernels) against tfjs's pure-JS cpu backend,
// which implements the same gradients directly and serves as the reference.

/** A deterministic pseudo-random generator, so a failure names a reproducible case. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function values(size: number, next: () => number): Float32Array {
  return Float32Array.from({ length: size }, () => next() * 2 - 1);
}

/** Runs `compute` on a backend and returns plain arrays (no tensor outlives the call). */
async function on(backend: string, compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(compute).map((t) => {
    const data = t.dataSync() as Float32Array;
    t.dispose();
    return data;
  });
}

const TOLERANCE: Tolerance = { relative: 1e-4, absolute: 1e-5 };

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernel: [number, number];
  stride: number;
  pad: 'same' | 'valid';
}

/** Random convolution shapes, always including the corner cases the issue names. */
function convCases(count: number): ConvCase[] {
  const next = random(7);
  const pick = <T>(options: T[]): T => options[Math.floor(next() * options.length)];
  const cases: ConvCase[] = [
    { batch: 1, height: 7, width: 9, inChannels: 3, outChannels: 5, kernel: [3, 3], stride: 2, pad: 'same' },
    { batch: 1, height: 8, width: 8, inChannels: 2, outChannels: 4, kernel: [3, 3], stride: 2, pad: 'valid' },
    { batch: 2, height: 9, width: 9, inChannels: 4, outChannels: 3, kernel: [1, 1], stride: 2, pad: 'same' },
    { batch: 3, height: 28, width: 28, inChannels: 1, outChannels: 6, kernel: [5, 5], stride: 1, pad: 'same' },
    { batch: 2, height: 10, width: 11, inChannels: 6, outChannels: 16, kernel: [5, 5], stride: 1, pad: 'valid' },
    { batch: 1, height: 6, width: 5, inChannels: 3, outChannels: 2, kernel: [2, 3], stride: 2, pad: 'same' },
  ];
  while (cases.length < count) {
    const kernel: [number, number] = [pick([1, 2, 3, 5]), pick([1, 2, 3, 5])];
    const pad = pick<'same' | 'valid'>(['same', 'valid']);
    const min = pad === 'valid' ? Math.max(...kernel) : 1;
    cases.push({
      batch: pick([1, 2, 3]),
      height: min + Math.floor(next() * 9),
      width: min + Math.floor(next() * 9),
      inChannels: pick([1, 2, 3, 5, 8]),
      outChannels: pick([1, 3, 4, 7]),
      kernel,
      stride: pick([1, 2, 3]),
      pad,
    });
  }
  return cases;
}

interface PoolCase {
  batch: number;
  height: number;
  width: number;
  channels: number;
  pool: number;
  stride: number;
  pad: 'same' | 'valid';
}

/** Random max-pool shapes (pools 2 and 3, strides 1-3, odd sizes), always including LeNet's. */
function poolCases(count: number): PoolCase[] {
  const next = random(13);
  const pick = <T>(options: T[]): T => options[Math.floor(next() * options.length)];
  const cases: PoolCase[] = [
    { batch: 2, height: 28, width: 28, channels: 6, pool: 2, stride: 2, pad: 'valid' },
    { batch: 1, height: 10, width: 10, channels: 16, pool: 2, stride: 2, pad: 'valid' },
    { batch: 1, height: 7, width: 9, channels: 3, pool: 2, stride: 2, pad: 'valid' },
    { batch: 1, height: 7, width: 5, channels: 2, pool: 2, stride: 2, pad: 'same' },
    { batch: 2, height: 9, width: 8, channels: 3, pool: 3, stride: 1, pad: 'same' },
    { batch: 1, height: 11, width: 7, channels: 5, pool: 3, stride: 2, pad: 'valid' },
    { batch: 1, height: 6, width: 6, channels: 1, pool: 2, stride: 3, pad: 'same' },
  ];
  while (cases.length < count) {
    const pool = pick([2, 3]);
    const pad = pick<'same' | 'valid'>(['same', 'valid']);
    cases.push({
      batch: pick([1, 2, 3]),
      height: pool + Math.floor(next() * 9),
      width: pool + Math.floor(next() * 9),
      channels: pick([1, 2, 3, 6]),
      pool,
      stride: pick([1, 2, 3]),
      pad,
    });
  }
  return cases;
}

describe('wasm training kernels', () => {
  before(async () => {
    await loadWasmBackend();
  });

  for (const [i, c] of convCases(24).entries()) {
    const name =
      `conv2d gradients #${i}: x ${c.batch}x${c.height}x${c.width}x${c.inChannels}, ` +
      `filter ${c.kernel.join('x')}x${c.outChannels}, stride ${c.stride}, ${c.pad}`;
    it(name, async () => {
      const next = random(100 + i);
      const xShape: [number, number, number, number] = [c.batch, c.height, c.width, c.inChannels];
      const wShape: [number, number, number, number] = [...c.kernel, c.inChannels, c.outChannels];
      const xValues = values(
        xShape.reduce((a, b) => a * b),
        next,
      );
      const wValues = values(
        wShape.reduce((a, b) => a * b),
        next,
      );
      const outShape = (await on('cpu', () => [tf.conv2d(tf.tensor4d(xValues, xShape), tf.tensor4d(wValues, wShape), c.stride, c.pad)]))[0];
      const upstream = values(outShape.length, next); // weights the loss so every output matters
      const gradients = (): tf.Tensor[] => {
        const x = tf.tensor4d(xValues, xShape);
        const w = tf.tensor4d(wValues, wShape);
        const forward = tf.conv2d(x, w, c.stride, c.pad);
        const r = tf.tensor(upstream, forward.shape);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r)))([x, w]);
      };
      const [dxWasm, dwWasm] = await on('wasm', gradients);
      const [dxCpu, dwCpu] = await on('cpu', gradients);
      assertClose(dwWasm, dwCpu, TOLERANCE, 'filter gradient');
      assertClose(dxWasm, dxCpu, TOLERANCE, 'input gradient');
    });
  }

  for (const [transposeA, transposeB] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ]) {
    it(`matMul and fused matMul, transposeA=${transposeA} transposeB=${transposeB}, batched and plain`, async () => {
      const next = random(transposeA ? 3 : 4);
      const [m, k, n] = [7, 5, 3];
      const aShape = transposeA ? [2, k, m] : [2, m, k];
      const bShape = transposeB ? [2, n, k] : [2, k, n];
      const a = values(2 * m * k, next);
      const b = values(2 * k * n, next);
      const bias = values(n, next);
      const compute = (): tf.Tensor[] => {
        const a3 = tf.tensor3d(a, aShape as [number, number, number]);
        const b3 = tf.tensor3d(b, bShape as [number, number, number]);
        const a2 = tf.squeeze<tf.Tensor2D>(tf.slice(a3, [0, 0, 0], [1, -1, -1]), [0]);
        const b2 = tf.squeeze<tf.Tensor2D>(tf.slice(b3, [0, 0, 0], [1, -1, -1]), [0]);
        return [
          tf.matMul(a3, b3, transposeA, transposeB),
          tf.fused.matMul({ a: a2, b: b2, transposeA, transposeB, bias: tf.tensor1d(bias), activation: 'relu' }),
        ];
      };
      const wasm = await on('wasm', compute);
      const cpu = await on('cpu', compute);
      assertClose(wasm[0], cpu[0], TOLERANCE, 'batched matMul');
      assertClose(wasm[1], cpu[1], TOLERANCE, 'fused matMul');
    });
  }

  // Ties decide where a max pool's gradient goes (TensorFlow: the first maximum of the window in
  // row-major order), so every shape runs on random values and on small integers, full of ties.
  for (const [i, c] of poolCases(20).entries()) {
    for (const values_ of ['random', 'tied'] as const) {
      const name = `maxPool gradient #${i} (${values_}): x ${c.batch}x${c.height}x${c.width}x${c.channels}, ` + `pool ${c.pool}, stride ${c.stride}, ${c.pad}`;
      it(name, async () => {
        const next = random(300 + i);
        const xShape: [number, number, number, number] = [c.batch, c.height, c.width, c.channels];
        const size = xShape.reduce((a, b) => a * b);
        const xValues = values_ === 'random' ? values(size, next) : Float32Array.from({ length: size }, () => Math.floor(next() * 3) - 1);
        const outShape = (await on('cpu', () => [tf.maxPool(tf.tensor4d(xValues, xShape), c.pool, c.stride, c.pad)]))[0];
        const upstream = values(outShape.length, next);
        const gradient = (): tf.Tensor[] => {
          const x = tf.tensor4d(xValues, xShape);
          const forward = tf.maxPool(x, c.pool, c.stride, c.pad);
          const r = tf.tensor(upstream, forward.shape);
          return [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.pool, c.stride, c.pad), r)))(x)];
        };
        assertClose((await on('wasm', gradient))[0], (await on('cpu', gradient))[0], TOLERANCE, 'input gradient');
      });
    }
  }

  it('maxPool gradient: all-zero, signed-zero, -Infinity and NaN windows follow the cpu backend', async () => {
    // Windows of 2x2 at stride 2 (the fast path) and 3x3 at stride 1 (the general one), straight
    // through the kernel: NaN never wins, a window of only -Infinity / NaN passes nothing on.
    const n = -Infinity;
    const data = [
      0,
      0,
      -0,
      0,
      1,
      1,
      2,
      3,
      0,
      0,
      0,
      -0,
      1,
      1,
      3,
      2,
      n,
      n,
      NaN,
      n,
      NaN,
      5,
      -0,
      0,
      n,
      n,
      n,
      NaN,
      5,
      NaN,
      0,
      0,
      NaN,
      NaN,
      -1,
      -1,
      0,
      -0,
      7,
      7,
      NaN,
      NaN,
      -1,
      n,
      -0,
      0,
      7,
      7,
    ];
    for (const [pool, stride] of [
      [2, 2],
      [3, 1],
      [2, 1],
    ]) {
      const compute = (): tf.Tensor[] => {
        const x = tf.tensor4d(data, [1, 6, 8, 1]);
        const outH = Math.floor((6 - pool) / stride) + 1;
        const outW = Math.floor((8 - pool) / stride) + 1;
        const dy = tf.tensor4d(
          Float32Array.from({ length: outH * outW }, (_, k) => k + 1),
          [1, outH, outW, 1],
        );
        return [
          tf.engine().runKernel<tf.Tensor>('MaxPoolGrad', { dy, input: x, output: tf.zeros(dy.shape) }, { filterSize: pool, strides: stride, pad: 'valid' }),
        ];
      };
      const wasm = (await on('wasm', compute))[0];
      const cpu = (await on('cpu', compute))[0];
      assert.deepEqual(Array.from(wasm), Array.from(cpu), `pool ${pool}, stride ${stride}`);
    }
  });

  it('matMul with a transposed right operand: dense-layer shapes and a broadcast batch', async () => {
    const next = random(17);
    const [dy, w, a, b, bt] = [64 * 120, 400 * 120, 3 * 5 * 4, 6 * 4, 6 * 5].map((size) => values(size, next));
    const compute = (): tf.Tensor[] => [
      tf.matMul(tf.tensor2d(dy, [64, 120]), tf.tensor2d(w, [400, 120]), false, true),
      tf.matMul(tf.tensor3d(a, [3, 5, 4]), tf.tensor3d(b, [1, 6, 4]), false, true),
      tf.matMul(tf.tensor3d(a, [3, 5, 4]), tf.tensor3d(bt, [1, 6, 5]), true, true),
    ];
    const wasm = await on('wasm', compute);
    const cpu = await on('cpu', compute);
    wasm.forEach((result, i) => assertClose(result, cpu[i], TOLERANCE, `product ${i}`));
  });

  it('sum and mean over leading axes (batch-norm moments), other axes, keepDims, and tile', async () => {
    const next = random(11);
    const data = values(3 * 5 * 4 * 6, next);
    const small = values(2 * 3, next);
    const compute = (): tf.Tensor[] => {
      const x = tf.tensor4d(data, [3, 5, 4, 6]);
      const v = tf.tensor2d(small, [2, 3]);
      return [
        tf.sum(x, [0, 1, 2]),
        tf.mean(x, [0, 1, 2]),
        tf.sum(x, [0, 1, 2], true),
        tf.mean(x, 0),
        tf.sum(x, [1, 2]),
        tf.mean(x, [0, 2]),
        tf.sum(x, -1),
        tf.sum(tf.reshape(x, [60, 6]), 0),
        tf.tile(tf.reshape(tf.slice(x, [0, 0, 0, 0], [1, 1, 1, 6]), [1, 1, 1, 6]), [2, 3, 4, 1]),
        tf.tile(v, [3, 2]),
        tf.tile(v, [1, 1]),
        tf.tile(tf.reshape(v, [2, 1, 3]), [1, 4, 1]),
      ];
    };
    const wasm = await on('wasm', compute);
    const cpu = await on('cpu', compute);
    wasm.forEach((result, i) => assertClose(result, cpu[i], TOLERANCE, `result ${i}`));
  });

  it('identity and same-dtype cast share the buffer and stay correct after the source is disposed', async () => {
    await tf.setBackend('wasm');
    const source = tf.tensor1d([1.5, 2, -3]);
    const copy = tf.clone(source);
    const same = tf.cast(source, 'float32');
    const ints = tf.cast(source, 'int32');
    source.dispose();
    assert.deepEqual(Array.from(copy.dataSync()), [1.5, 2, -3]);
    assert.deepEqual(Array.from(same.dataSync()), [1.5, 2, -3]);
    assert.deepEqual(Array.from(ints.dataSync()), [1, 2, -3]);
    tf.dispose([copy, same, ints]);
  });
});
