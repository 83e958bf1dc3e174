import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { DataLoader } from '../../src/trainer/data/dataLoader';
import { loadDataset } from '../../src/trainer/data/dataset';
import { generateDigits } from '../../src/trainer/digitsBenchmark/generateDigits';
import type { BenchmarkManifest, DomainManifest } from '../../src/trainer/digitsBenchmark/manifest';
import { scanDataset } from '../../src/datasetScan/scanDataset';
import { dataTempDir } from './dataFixtures';

/** Shared with later runs (and gitignored), so only the first run on a machine downloads. */
const CACHE = path.resolve(__dirname, '../../../.cache/kd-uda-lab');
const DOMAINS = ['mnist', 'mnist-photo', 'font-digits', 'uci-digits'];
const SIZE = 30;

async function filesWithHashes(folder: string): Promise<Map<string, string>> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const hashes = new Map<string, string>();
  for (const entry of entries.filter((candidate) => candidate.isFile())) {
    const file = path.join(entry.parentPath, entry.name);
    hashes.set(
      path.relative(folder, file),
      createHash('sha1')
        .update(await readFile(file))
        .digest('hex'),
    );
  }
  return hashes;
}

test('the Digits generator at a tiny size: four domains from real data, loadable, deterministic per seed', { timeout: 240_000 }, async (t) => {
  const out = await dataTempDir(t);
  const lines: string[] = [];
  const manifest = await generateDigits({ out, size: SIZE, seed: 11, cacheFolder: CACHE, log: (line) => lines.push(line) });

  assert.deepEqual(manifest.skipped, [], lines.join('\n'));
  assert.deepEqual(
    manifest.domains.map((domain) => domain.name),
    DOMAINS,
  );
  assert.deepEqual(JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as BenchmarkManifest, manifest);

  // Each split folder is an ImageFolder root the Datasets view reads without complaint.
  for (const split of ['train', 'test']) {
    const summary = await scanDataset(path.join(out, split));
    assert.equal(summary.layout, 'imagefolder');
    assert.deepEqual(summary.domains.map((domain) => domain.name).sort(), [...DOMAINS].sort());
    assert.deepEqual(summary.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.deepEqual(
      summary.domains.flatMap((domain) => [...domain.issues, ...domain.classes.flatMap((entry) => entry.issues)]),
      [],
    );
  }

  for (const name of DOMAINS) {
    const domain = JSON.parse(await readFile(path.join(out, 'manifests', `${name}.json`), 'utf8')) as DomainManifest;
    assert.equal(domain.seed, 11);
    assert.ok(
      domain.sources.length > 0 && domain.sources.every((source) => source.licences.length > 0 && source.used.length > 0),
      `${name}: sources with licences`,
    );
    assert.equal(
      Object.values(domain.counts.train).reduce((sum, count) => sum + count, 0),
      SIZE,
    );
    const montage = await sharp(path.join(out, 'montages', `${name}.png`)).metadata();
    assert.ok(montage.width > 50 && montage.height > 50, `${name}: montage`);
  }
  const photo = JSON.parse(await readFile(path.join(out, 'manifests', 'mnist-photo.json'), 'utf8')) as DomainManifest;
  assert.match(photo.standsInFor, /This is not MNIST-M/);
  assert.ok(photo.sources.some((source) => source.kind === 'debian' && source.name === 'python3-skimage' && /^\d/.test(source.version!)));
  const fonts = JSON.parse(await readFile(path.join(out, 'manifests', 'font-digits.json'), 'utf8')) as DomainManifest;
  const usedFonts = fonts.sources.flatMap((source) => source.used);
  assert.ok(usedFonts.includes('DejaVuSans.ttf'));
  assert.ok(!usedFonts.includes('D050000L.otf'), 'the Dingbats font is filtered out');
  assert.ok(!usedFonts.some((file) => /Hamlet-Cicero12|wingding/.test(file)), 'fonts without digits are filtered out');

  // The trainer reads the output through its own split folders.
  const dataset = await loadDataset({ root: out, source: 'mnist', targets: ['mnist-photo', 'font-digits', 'uci-digits'], split: { kind: 'folders' }, seed: 0 });
  assert.equal(dataset.source.train.length, SIZE);
  assert.equal(dataset.targets[1].test.length, 10);
  const loader = await DataLoader.create({ imageSize: 28, channels: 3, seed: 0 });
  const step = await loader.trainingSteps(dataset, 8).next();
  assert.deepEqual([step.source.shape, ...step.targets.map((batch) => batch.shape)], Array(4).fill([8, 28, 28, 3]));
  assert.equal(loader.stats().skipped, 0);

  const again = await dataTempDir(t);
  await generateDigits({ out: again, size: SIZE, seed: 11, cacheFolder: CACHE });
  assert.deepEqual(await filesWithHashes(again), await filesWithHashes(out), 'the same seed gives the same files');

  const reseeded = await dataTempDir(t);
  await generateDigits({ out: reseeded, size: SIZE, seed: 12, cacheFolder: CACHE });
  const [first, other] = [await filesWithHashes(path.join(out, 'train')), await filesWithHashes(path.join(reseeded, 'train'))];
  assert.ok([...first].filter(([file, hash]) => other.get(file) === hash).length < first.size / 2, 'another seed, other images');
});

test('the generator refuses a bad size or seed before doing anything', async (t) => {
  const out = await dataTempDir(t);
  await assert.rejects(generateDigits({ out, size: 5, cacheFolder: CACHE }), /--size must be an integer of at least 10/);
  await assert.rejects(generateDigits({ out, size: 100, seed: -1, cacheFolder: CACHE }), /--seed must be an integer/);
});

test('without photographs, mnist-photo is skipped with the reason and the other domains are built', { timeout: 120_000 }, async (t) => {
  const out = await dataTempDir(t);
  const empty = await dataTempDir(t);
  const manifest = await generateDigits({ out, size: 10, seed: 0, photos: empty, cacheFolder: CACHE });
  assert.deepEqual(
    manifest.skipped.map((entry) => entry.name),
    ['mnist-photo'],
  );
  assert.match(manifest.skipped[0].reason, /holds no images/);
  assert.deepEqual(
    manifest.domains.map((domain) => domain.name),
    ['mnist', 'font-digits', 'uci-digits'],
  );
});
