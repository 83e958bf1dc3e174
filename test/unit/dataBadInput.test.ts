import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { DataError } from '../../src/trainer/data/dataError';
import { DataLoader } from '../../src/trainer/data/dataLoader';
import { loadDataset, type DataSelection } from '../../src/trainer/data/dataset';
import { dataTempDir, flatPng, problemLog, writeFileAt, writeImageFolder } from './dataFixtures';

const ALL = { kind: 'all' } as const;

async function rejection(selection: DataSelection): Promise<DataError> {
  try {
    await loadDataset(selection);
  } catch (error) {
    assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
    return error;
  }
  assert.fail('loadDataset accepted bad data');
}

test('a missing root is an error naming it', async (t) => {
  const root = path.join(await dataTempDir(t), 'nowhere');
  const error = await rejection({ root, source: 'a', targets: ['b'], split: ALL, seed: 0 });
  assert.match(error.message, /does not exist/);
  assert.ok(error.message.includes(root));
});

test('an unknown layout is an error saying which layouts are expected', async (t) => {
  const root = await dataTempDir(t);
  await writeFileAt(root, 'notes.md', 'hello');
  const error = await rejection({ root, source: 'a', targets: ['b'], split: ALL, seed: 0 });
  assert.match(error.message, /No known dataset layout fits/);
  assert.match(error.message, /ImageFolder/);
});

test('a layout other than the one the experiment names is an error', async (t) => {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { a: { x: 1 }, b: { x: 1 } });
  const error = await rejection({ root, layout: 'office31', source: 'a', targets: ['b'], split: ALL, seed: 0 });
  assert.match(error.message, /data\.layout: is "office31".*laid out as ImageFolder/);
});

test('unknown domains and repeated targets are named, with the domains there are', async (t) => {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { amazon: { x: 1 }, webcam: { x: 1 } });
  const error = await rejection({ root, source: 'amazon', targets: ['dslr', 'webcam', 'webcam'], split: ALL, seed: 0 });
  assert.match(error.message, /data\.targets\[0\]: no domain "dslr" in .*its domains are "amazon", "webcam"/);
  assert.match(error.message, /repeated: "webcam"/);
});

test('domains whose class sets differ: the error names the missing classes', async (t) => {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { a: { cat: 1, dog: 1, owl: 1 }, b: { cat: 1 }, c: { cat: 1, dog: 1, owl: 1 } });
  const error = await rejection({ root, source: 'a', targets: ['b', 'c'], split: ALL, seed: 0 });
  assert.match(error.message, /domain "b" in .* lacks classes "dog", "owl"/);
  assert.doesNotMatch(error.message, /domain "c"/);
});

test('an empty class: an error in the source (naming it), a warning in a target', async (t) => {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { a: { cat: 2, dog: 2 }, b: { cat: 2, dog: 1 } });
  await rm(path.join(root, 'b', 'dog', '0.png'));
  const log = problemLog();
  const dataset = await loadDataset({ root, source: 'a', targets: ['b'], split: ALL, seed: 0 }, { onProblem: log.onProblem });
  assert.equal(dataset.targets[0].train.length, 2);
  assert.ok(log.problems.some((problem) => problem.domain === 'b' && /Class "dog" has no images/.test(problem.message)));

  const error = await rejection({ root, source: 'b', targets: ['a'], split: ALL, seed: 0 });
  assert.match(error.message, /Class "dog" of the source domain "b" has no images/);
});

test('split "folders" without train/ and test/ folders is an error; a root that has them says so', async (t) => {
  const plain = await dataTempDir(t);
  await writeImageFolder(plain, { a: { x: 1 }, b: { x: 1 } });
  assert.match((await rejection({ root: plain, source: 'a', targets: ['b'], split: { kind: 'folders' }, seed: 0 })).message, /no train\/ and test\//);

  const split = await dataTempDir(t);
  await writeImageFolder(split, { a: { x: 1 }, b: { x: 1 } }, 'train');
  await writeImageFolder(split, { a: { x: 1 }, b: { x: 1 } }, 'test');
  assert.match((await rejection({ root: split, source: 'a', targets: ['b'], split: ALL, seed: 0 })).message, /set split\.kind to "folders"/);
});

test('a list file with a bad line: skipped and reported as file:line', async (t) => {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { b: { car: 2 }, c: { car: 1 } }, 'img');
  await writeFileAt(root, 'list/bList.txt', 'img/b/car/0.png 0\nimg/b/car/1.png zero\n');
  await writeFileAt(root, 'list/cList.txt', 'img/c/car/0.png 0\n');
  const log = problemLog();

  const dataset = await loadDataset({ root, source: 'b', targets: ['c'], split: ALL, seed: 0 }, { onProblem: log.onProblem });

  assert.equal(dataset.source.train.length, 1);
  const bad = log.problems.find((problem) => problem.line === 2);
  assert.ok(bad, 'the bad line is reported');
  assert.equal(bad.path, path.join(root, 'list/bList.txt'));
  assert.match(bad.message, /bList\.txt:2: expected "<path> <label>"/);
});

test('corrupt and truncated images are skipped, counted and reported once; batches stay full and training goes on', async (t) => {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { a: { x: 4, y: 4 }, b: { x: 2, y: 2 } });
  const jpeg = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#884422' } })
    .jpeg()
    .toBuffer();
  const truncated = await writeFileAt(root, 'a/x/truncated.jpg', jpeg.subarray(0, jpeg.length / 2));
  const garbage = await writeFileAt(root, 'a/y/garbage.png', 'this is not a PNG at all');
  const log = problemLog();
  const dataset = await loadDataset({ root, source: 'a', targets: ['b'], split: ALL, seed: 3 }, { onProblem: log.onProblem });
  const loader = await DataLoader.create({ imageSize: 8, channels: 1, seed: 3, onProblem: log.onProblem });

  const stream = loader.trainStream(dataset.source, 5);
  for (let step = 0; step < 8; step++) {
    const batch = await stream.next();
    assert.equal(batch.labels.length, 5);
    assert.ok(batch.images.every(Number.isFinite));
  }

  const skipped = log.problems.filter((problem) => problem.code === 'corrupt-image');
  assert.deepEqual(skipped.map((problem) => problem.path).sort(), [garbage, truncated].sort());
  assert.ok(skipped.every((problem) => problem.domain === 'a' && problem.message.startsWith('Skipped ')));
  assert.equal(loader.stats().skipped, 2);

  const evaluated = [];
  for await (const batch of loader.evalBatches(dataset.source.test, 4, 'a')) evaluated.push(...batch.paths!);
  assert.equal(evaluated.length, 8, 'evaluation leaves the two bad images out');
});

test('a domain of nothing but corrupt images is an error naming it, not an endless loop', async (t) => {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { b: { x: 1 } });
  await writeFileAt(root, 'a/x/0.png', 'broken');
  await writeFileAt(root, 'a/x/1.jpg', 'broken too');
  const dataset = await loadDataset({ root, source: 'a', targets: ['b'], split: ALL, seed: 0 });
  const loader = await DataLoader.create({ imageSize: 8, channels: 1, seed: 0 });
  await assert.rejects(
    loader.trainStream(dataset.source, 2).next(),
    (error: Error) => error instanceof DataError && /Domain "a": 200 images in a row could not be decoded/.test(error.message),
  );
});

test("images of mixed sizes, channel counts, bit depths and formats all become the model's shape", async (t) => {
  const root = await dataTempDir(t);
  const rgba = await sharp({ create: { width: 30, height: 20, channels: 4, background: { r: 200, g: 10, b: 10, alpha: 0.5 } } })
    .png()
    .toBuffer();
  const gray16 = await sharp(Buffer.alloc(12 * 12 * 2, 0x80), { raw: { width: 12, height: 12, channels: 2 } })
    .toColourspace('grey16')
    .png()
    .toBuffer();
  const webp = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#00ff00' } })
    .webp()
    .toBuffer();
  const jpeg = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#0000ff' } })
    .jpeg()
    .toBuffer();
  await writeFileAt(root, 'a/x/rgba.png', rgba);
  await writeFileAt(root, 'a/x/gray16.png', gray16);
  await writeFileAt(root, 'a/y/photo.webp', webp);
  await writeFileAt(root, 'a/y/photo.jpg', jpeg);
  await writeFileAt(root, 'a/y/small-gray.png', flatPng(77, 5, 1));
  await writeFileAt(root, 'a/y/rgb.png', flatPng(100, 16, 3));
  await writeImageFolder(root, { b: { x: 1, y: 1 } });
  const log = problemLog();
  const dataset = await loadDataset({ root, source: 'a', targets: ['b'], split: ALL, seed: 0 });

  for (const channels of [1, 3] as const) {
    const loader = await DataLoader.create({ imageSize: 10, channels, seed: 0, onProblem: log.onProblem });
    for await (const batch of loader.evalBatches(dataset.source.test, 8, 'a')) {
      assert.deepEqual(batch.shape, [6, 10, 10, channels]);
      assert.equal(batch.images.length, 6 * 10 * 10 * channels);
    }
  }
  assert.deepEqual(log.problems, []);
});

test('an image that vanishes between the scan and the decode is skipped like a corrupt one', async (t) => {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { a: { x: 2 }, b: { x: 1 } });
  const dataset = await loadDataset({ root, source: 'a', targets: ['b'], split: ALL, seed: 0 });
  await writeFile(path.join(root, 'a/x/1.png'), Buffer.alloc(0));
  const log = problemLog();
  const loader = await DataLoader.create({ imageSize: 8, channels: 1, seed: 0, onProblem: log.onProblem });
  const keys = [];
  for await (const batch of loader.evalBatches(dataset.source.test, 4, 'a')) keys.push(...batch.paths!);
  assert.deepEqual(keys, [path.join(root, 'a/x/0.png')]);
  assert.equal(log.problems.length, 1);
});

test('a hold-out that leaves a class without test images is an error naming the class and its counts, not a 0% score', async (t) => {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { a: { x: 10, y: 10 }, b: { x: 10, y: 2 } });
  const error = await rejection({ root, source: 'a', targets: ['b'], split: { kind: 'holdout', testFraction: 0.1 }, seed: 0 });
  assert.match(error.message, /target domain "b", class "y" \(2 images, 0 for testing\) has no test image/);
  assert.match(error.message, /split\.testFraction 0\.1/);
  assert.doesNotMatch(error.message, /"x"/);
});

test("a hold-out that leaves a domain with no test image at all is an error, with the domain's image count", async (t) => {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { a: { x: 10, y: 10 }, b: { x: 1, y: 1 } });
  const error = await rejection({ root, source: 'a', targets: ['b'], split: { kind: 'holdout', testFraction: 0.2 }, seed: 0 });
  assert.match(error.message, /target domain "b" has no test images under split.kind "holdout" with split.testFraction 0.2 \(2 images in all\)/);
});

test('a hold-out that takes every image of a source class is an error: the class would never be trained on', async (t) => {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { a: { x: 10, y: 1 }, b: { x: 10, y: 10 } });
  const error = await rejection({ root, source: 'a', targets: ['b'], split: { kind: 'holdout', testFraction: 0.5 }, seed: 0 });
  assert.match(error.message, /source domain "a", class "y" \(1 images, all held out\) has no training image left/);
});

test('a test folder whose class folder is empty is an error naming the class, not a class scored on nothing', async (t) => {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { a: { x: 2, y: 2 }, b: { x: 2, y: 2 } }, 'train');
  await writeImageFolder(root, { a: { x: 1, y: 1 }, b: { x: 1 } }, 'test');
  await mkdir(path.join(root, 'test', 'b', 'y'), { recursive: true });
  const error = await rejection({ root, source: 'a', targets: ['b'], split: { kind: 'folders' }, seed: 0 });
  assert.match(error.message, /target domain "b", class "y" \(2 images, 0 for testing\) has no test image under split.kind "folders"/);
});
