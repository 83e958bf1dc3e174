import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataLoader } from '../../src/trainer/data/dataLoader';
import { loadDataset } from '../../src/trainer/data/dataset';
import { DomainSampler } from '../../src/trainer/data/domainSampler';
import { dataTempDir, firstPixel, writeImageFolder } from './dataFixtures';
import { assertClose } from './numericChecks';

/** Source: 10 images of two classes; target: 3 images. Gray value = 10 * class + index names each image. */
async function smallDataset(t: Parameters<typeof dataTempDir>[0]) {
  const root = await dataTempDir(t);
  await writeImageFolder(root, { source: { a: 5, b: 5 }, target: { a: 2, b: 1 } });
  return loadDataset({ root, source: 'source', targets: ['target'], split: { kind: 'all' }, seed: 0 });
}

function idsOf(images: Float32Array, n: number): number[] {
  return Array.from({ length: n }, (_, k) => firstPixel(images, k, 8, 1));
}

test('the sampler gives a new permutation every pass and straddles passes without gaps', () => {
  const sampler = new DomainSampler(5, 42);
  const drawn = [...sampler.take(3), ...sampler.take(3), ...sampler.take(4)];
  assert.deepEqual([...drawn.slice(0, 5)].sort(), [0, 1, 2, 3, 4]);
  assert.deepEqual([...drawn.slice(5, 10)].sort(), [0, 1, 2, 3, 4]);
  assert.notDeepEqual(drawn.slice(0, 5), drawn.slice(5, 10), 'the second pass is reshuffled');
  assert.equal(sampler.passes, 2);
});

test('a target smaller than the source reshuffles when exhausted: every pass covers it, no batch repeats', async (t) => {
  const dataset = await smallDataset(t);
  const loader = await DataLoader.create({ imageSize: 8, channels: 1, normalize: 'unit', seed: 5 });
  const steps = loader.trainingSteps(dataset, 3);
  const targetSeen: number[] = [];
  const targetBatches = new Set<string>();
  for (let step = 0; step < 8; step++) {
    const { source, targets } = await steps.next();
    assert.deepEqual(source.shape, [3, 8, 8, 1]);
    assert.equal(targets.length, 1);
    const ids = idsOf(targets[0].images, 3);
    targetSeen.push(...ids);
    targetBatches.add(ids.join(','));
    assert.deepEqual(
      [...targets[0].labels],
      ids.map((id) => (id >= 10 ? 1 : 0)),
      'labels travel with their images',
    );
  }
  for (let pass = 0; pass < 8; pass++) assert.deepEqual(targetSeen.slice(pass * 3, pass * 3 + 3).sort(), [0, 1, 10], `target pass ${pass} is a permutation`);
  assert.ok(targetBatches.size > 1, 'the target is not one batch reused');
  assert.equal(steps.sourcePasses, 2, '24 source images drawn from 10: two passes completed');
});

test('the same seed gives the same batches; another seed another order', async (t) => {
  const dataset = await smallDataset(t);
  const run = async (seed: number) => {
    const loader = await DataLoader.create({ imageSize: 8, channels: 1, normalize: 'unit', seed, prefetchBatches: 3 });
    const stream = loader.trainStream(dataset.source, 4);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(...idsOf((await stream.next()).images, 4));
    return ids;
  };
  const first = await run(1);
  assert.deepEqual(await run(1), first);
  assert.notDeepEqual(await run(2), first);
});

test('a stream started at step k gives the batches a stream from 0 gives from k, without decoding the skipped ones', async (t) => {
  const dataset = await smallDataset(t);
  const options = { imageSize: 8, channels: 1, normalize: 'unit', seed: 3, prefetchBatches: 2, augment: { horizontalFlip: true } } as const;
  const fromStart = (await DataLoader.create(options)).trainingSteps(dataset, 3);
  const full: string[] = [];
  for (let step = 0; step < 9; step++) {
    const { source, targets } = await fromStart.next();
    full.push(`${Array.from(source.images).join(',')}|${Array.from(targets[0].images).join(',')}`);
  }
  const resumedLoader = await DataLoader.create({ ...options, cacheBytes: 0 });
  const resumed = resumedLoader.trainingSteps(dataset, 3, 6);
  for (let step = 6; step < 9; step++) {
    const { source, targets } = await resumed.next();
    assert.equal(`${Array.from(source.images).join(',')}|${Array.from(targets[0].images).join(',')}`, full[step], `step ${step}`);
  }
  assert.equal(resumed.sourcePasses, fromStart.sourcePasses, 'passes count the skipped batches too');
  // Three batches taken and two prefetched, of 3 source + 3 target images each; replaying the six skipped would decode 36 more.
  assert.ok(resumedLoader.stats().decoded <= 30, `only the batches from step 6 on are decoded (${resumedLoader.stats().decoded})`);
});

test('decoded images are cached within the budget, and a zero budget turns the cache off', async (t) => {
  const dataset = await smallDataset(t);
  const cached = await DataLoader.create({ imageSize: 8, channels: 1, seed: 0 });
  const stream = cached.trainStream(dataset.source, 5);
  for (let i = 0; i < 6; i++) await stream.next();
  assert.equal(cached.stats().decoded, 10, 'each image decoded once');
  assert.ok(cached.stats().cacheHits >= 20);
  assert.equal(cached.stats().cachedBytes, 10 * 64);

  const uncached = await DataLoader.create({ imageSize: 8, channels: 1, seed: 0, cacheBytes: 0 });
  const again = uncached.trainStream(dataset.source, 5);
  for (let i = 0; i < 6; i++) await again.next();
  assert.ok(uncached.stats().decoded > 10, 'images are decoded again every epoch');
  assert.equal(uncached.stats().cachedImages, 0);
});

test('normalisation: unit, symmetric and ImageNet statistics', async (t) => {
  const dataset = await smallDataset(t);
  const first = async (normalize: 'unit' | 'symmetric' | 'imagenet', channels: 1 | 3) => {
    const loader = await DataLoader.create({ imageSize: 8, channels, normalize, seed: 0 });
    for await (const batch of loader.evalBatches(dataset.source.test.slice(9), 1, 'source')) return Array.from(batch.images.slice(0, channels));
    return [];
  };
  // The last source image is class b, index 4: gray value 14.
  assertClose((await first('unit', 1))[0], 14 / 255, { absolute: 1e-6 }, 'unit');
  assertClose((await first('symmetric', 1))[0], (14 / 255 - 0.5) / 0.5, { absolute: 1e-6 }, 'symmetric');
  const imagenet = await first('imagenet', 3);
  [0.485, 0.456, 0.406].forEach((mean, c) =>
    assertClose(imagenet[c], (14 / 255 - mean) / [0.229, 0.224, 0.225][c], { absolute: 1e-5 }, `imagenet channel ${c}`),
  );
});

test('augmentation: horizontal flip mirrors, random resized crop varies per epoch; evaluation is never augmented', async (t) => {
  const root = await dataTempDir(t);
  const { encodePng } = await import('../../src/trainer/digitsBenchmark/pngEncoder');
  const { writeFileAt } = await import('./dataFixtures');
  const ramp = new Uint8Array(16 * 16).map((_, i) => (i % 16) * 16);
  await writeFileAt(root, 'a/x/ramp.png', encodePng(ramp, 16, 16, 1));
  await writeFileAt(root, 'b/x/ramp.png', encodePng(ramp, 16, 16, 1));
  const dataset = await loadDataset({ root, source: 'a', targets: ['b'], split: { kind: 'all' }, seed: 0 });

  const flipping = await DataLoader.create({ imageSize: 16, channels: 1, normalize: 'unit', seed: 0, augment: { horizontalFlip: true } });
  const rows = new Set<string>();
  const stream = flipping.trainStream(dataset.source, 1);
  for (let i = 0; i < 12; i++) {
    const row = Array.from((await stream.next()).images.slice(0, 16), (value) => Math.round(value * 255));
    rows.add(row.join(','));
  }
  assert.deepEqual(
    [...rows].sort(),
    [Array.from({ length: 16 }, (_, x) => x * 16).join(','), Array.from({ length: 16 }, (_, x) => (15 - x) * 16).join(',')].sort(),
  );

  const cropping = await DataLoader.create({ imageSize: 16, channels: 1, seed: 0, augment: { randomResizedCrop: true } });
  const crops = cropping.trainStream(dataset.source, 1);
  const views = new Set<string>();
  for (let i = 0; i < 5; i++) views.add(Array.from((await crops.next()).images.slice(0, 16)).join(','));
  assert.ok(views.size > 1, 'crops differ between epochs');
  for await (const batch of cropping.evalBatches(dataset.source.test, 1, 'a')) {
    assert.deepEqual(
      Array.from(batch.images.slice(0, 16), (value) => Math.round(((value + 1) / 2) * 255)),
      Array.from({ length: 16 }, (_, x) => x * 16),
    );
  }
});
