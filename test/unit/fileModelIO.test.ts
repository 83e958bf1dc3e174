import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { fileLoadHandler, fileSaveHandler } from '../../src/trainer/checkpoints/fileModelIO';

describe('checkpoint files (model.json + weights.bin)', () => {
  let dir: string;
  before(async () => {
    assert.ok(version_cpu);
    await tf.setBackend('cpu');
    dir = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-ckpt-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  function tinyConvNet(): tfl.LayersModel {
    const model = tfl.sequential();
    model.add(tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, activation: 'relu' }));
    model.add(tfl.layers.batchNormalization());
    model.add(tfl.layers.globalAveragePooling2d({}));
    model.add(tfl.layers.dense({ units: 4 }));
    return model;
  }

  it('saves and loads a model that predicts exactly as before', async () => {
    const model = tinyConvNet();
    const input = tf.randomNormal([2, 8, 8, 1], 0, 1, 'float32', 7);
    const before = Array.from(await (model.predict(input) as tf.Tensor).data());
    await model.save(fileSaveHandler(path.join(dir, 'a')));
    assert.deepEqual((await readdir(path.join(dir, 'a'))).sort(), ['model.json', 'weights.bin']);
    const loaded = await tfl.loadLayersModel(fileLoadHandler(path.join(dir, 'a', 'model.json')));
    const after = Array.from(await (loaded.predict(input) as tf.Tensor).data());
    assert.deepEqual(after, before);
  });

  it('names the file when the model or its weights cannot be read', async () => {
    await assert.rejects(tfl.loadLayersModel(fileLoadHandler(path.join(dir, 'missing', 'model.json'))), /missing[\\/]model\.json: cannot read the model/);
    await tinyConvNet().save(fileSaveHandler(path.join(dir, 'b')));
    await rm(path.join(dir, 'b', 'weights.bin'));
    await assert.rejects(tfl.loadLayersModel(fileLoadHandler(path.join(dir, 'b', 'model.json'))), /weights file \.\/weights\.bin cannot be read/);
    await writeFile(path.join(dir, 'b', 'model.json'), '{"format":"graph-model"}');
    await assert.rejects(tfl.loadLayersModel(fileLoadHandler(path.join(dir, 'b', 'model.json'))), /not a tfjs layers model/);
  });

  it('a truncated or overlong weights.bin is named with the bytes it holds and the bytes model.json describes', async () => {
    await tinyConvNet().save(fileSaveHandler(path.join(dir, 'c')));
    const weights = path.join(dir, 'c', 'weights.bin');
    const size = (await readFile(weights)).byteLength;
    await truncate(weights, size - 8);
    await assert.rejects(
      tfl.loadLayersModel(fileLoadHandler(path.join(dir, 'c', 'model.json'))),
      new RegExp(`weights\\.bin is truncated: it holds ${size - 8} bytes, model\\.json describes ${size}`),
    );
    await writeFile(weights, Buffer.alloc(size + 4));
    await assert.rejects(tfl.loadLayersModel(fileLoadHandler(path.join(dir, 'c', 'model.json'))), /is longer than described/);
  });
});
