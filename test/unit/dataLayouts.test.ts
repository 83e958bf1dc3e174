import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DataLoader } from '../../src/trainer/data/dataLoader';
import { loadDataset } from '../../src/trainer/data/dataset';
import { dataTempDir, firstPixel, idxImages, idxLabels, writeFileAt, writeImageFolder } from './dataFixtures';

test('ImageFolder: samples per domain with labels indexing the sorted class names', async (t) => {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { amazon: { bike: 2, mug: 3 }, webcam: { bike: 1, mug: 2 } });

  const dataset = await loadDataset({ root, source: 'amazon', targets: ['webcam'], split: { kind: 'all' }, seed: 0 });

  assert.equal(dataset.layout, 'imagefolder');
  assert.deepEqual(dataset.classNames, ['bike', 'mug']);
  assert.deepEqual(
    dataset.source.train.map((sample) => [path.relative(root, sample.key), sample.label]),
    [
      ['amazon/bike/0.png', 0],
      ['amazon/bike/1.png', 0],
      ['amazon/mug/0.png', 1],
      ['amazon/mug/1.png', 1],
      ['amazon/mug/2.png', 1],
    ],
  );
  assert.equal(dataset.targets[0].name, 'webcam');
  assert.equal(dataset.targets[0].train.length, 3);
  assert.equal(dataset.source.test, dataset.source.train, 'split "all" tests on the training images (transductive)');
});

test('Office-31: <domain>/images/<class>/ is read like ImageFolder', async (t) => {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { 'amazon/images': { back_pack: 2, bike: 1 }, 'dslr/images': { back_pack: 1, bike: 1 } });

  const dataset = await loadDataset({ root, layout: 'office31', source: 'dslr', targets: ['amazon'], split: { kind: 'all' }, seed: 0 });

  assert.equal(dataset.layout, 'office31');
  assert.deepEqual(dataset.classNames, ['back_pack', 'bike']);
  assert.equal(dataset.targets[0].train.length, 3);
  assert.ok(dataset.source.train.every((sample) => sample.key.includes(`${path.sep}images${path.sep}`)));
});

test('list files: each list is a domain, classes.txt names the labels, paths resolve against the root', async (t) => {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { b: { car: 2, dog: 1 }, c: { car: 1, dog: 2 } }, 'img');
  await writeFileAt(root, 'list/classes.txt', 'car\ndog\n');
  await writeFileAt(root, 'list/bList.txt', 'img/b/car/0.png 0\nimg/b/car/1.png 0\nimg/b/dog/0.png 1\n');
  await writeFileAt(root, 'list/cList.txt', 'img/c/car/0.png 0\nimg/c/dog/0.png 1\nimg/c/dog/1.png 1\n');

  const dataset = await loadDataset({ root, source: 'b', targets: ['c'], split: { kind: 'all' }, seed: 0 });

  assert.equal(dataset.layout, 'listfile');
  assert.deepEqual(dataset.classNames, ['car', 'dog']);
  assert.deepEqual(
    dataset.targets[0].train.map((sample) => sample.label),
    [0, 1, 1],
  );
  assert.equal(dataset.targets[0].train[2].key, path.join(root, 'img/c/dog/1.png'));
});

test('MNIST IDX (plain and gzipped): each prefix is a domain, decoded straight from the file', async (t) => {
  const root = await dataTempDir(t);
  await writeFileAt(root, 'train-images-idx3-ubyte', idxImages(6));
  await writeFileAt(root, 'train-labels-idx1-ubyte', idxLabels([0, 1, 2, 0, 1, 2]));
  await writeFileAt(root, 't10k-images-idx3-ubyte.gz', gzipSync(idxImages(3)));
  await writeFileAt(root, 't10k-labels-idx1-ubyte.gz', gzipSync(idxLabels([2, 1, 0])));

  const dataset = await loadDataset({ root, source: 'train', targets: ['t10k'], split: { kind: 'all' }, seed: 0 });
  assert.equal(dataset.layout, 'idx');
  assert.deepEqual(dataset.classNames, ['0', '1', '2']);
  assert.deepEqual(
    dataset.targets[0].train.map((sample) => sample.label),
    [2, 1, 0],
  );

  const loader = await DataLoader.create({ imageSize: 4, channels: 1, normalize: 'unit', seed: 0 });
  const batches = [];
  for await (const batch of loader.evalBatches(dataset.targets[0].test, 2, 't10k')) batches.push(batch);
  assert.deepEqual(
    batches.map((batch) => batch.shape),
    [
      [2, 4, 4, 1],
      [1, 4, 4, 1],
    ],
  );
  assert.deepEqual([firstPixel(batches[0].images, 0, 4, 1), firstPixel(batches[0].images, 1, 4, 1), firstPixel(batches[1].images, 0, 4, 1)], [0, 1, 2]);
  assert.deepEqual(batches[1].paths, [`${path.join(root, 't10k-images-idx3-ubyte.gz')}#2`]);
});

test('split "holdout": a seeded fraction of every class, disjoint, the same for the same seed', async (t) => {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { a: { x: 10, y: 20 }, b: { x: 5, y: 5 } });
  const load = (seed: number) => loadDataset({ root, source: 'a', targets: ['b'], split: { kind: 'holdout', testFraction: 0.2 }, seed });

  const first = await load(7);
  const again = await load(7);
  const other = await load(8);

  const keys = (samples: { key: string }[]) => samples.map((sample) => sample.key);
  assert.deepEqual(first.source.test.map((sample) => sample.label).sort(), [0, 0, 1, 1, 1, 1], '20% of each class');
  assert.equal(first.source.train.length, 24);
  assert.equal(keys(first.source.train).filter((key) => keys(first.source.test).includes(key)).length, 0);
  assert.deepEqual(keys(again.source.test), keys(first.source.test));
  assert.notDeepEqual(keys(other.source.test), keys(first.source.test));
});

test('split "folders": <root>/train and <root>/test are the dataset\'s own split', async (t) => {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { mnist: { 0: 3, 1: 3 }, usps: { 0: 2, 1: 2 } }, 'train');
  await writeImageFolder(root, { mnist: { 0: 1, 1: 1 }, usps: { 0: 1, 1: 1 } }, 'test');

  const dataset = await loadDataset({ root, source: 'mnist', targets: ['usps'], split: { kind: 'folders' }, seed: 0 });

  assert.equal(dataset.source.train.length, 6);
  assert.equal(dataset.source.test.length, 2);
  assert.ok(dataset.targets[0].test.every((sample) => sample.key.startsWith(path.join(root, 'test'))));
});
