/**
 * How fast the data pipeline delivers training batches: samples/s decoded and handed to a
 * consumer that does nothing else, for 28x28 digits (the Digits benchmark's PNGs) and 224x224
 * JPEGs (photos of Office-31-like sizes), cold (every image decoded: the first epoch) and cached
 * (every image from the in-memory cache: later epochs). Compare with the fastest trainer backend
 * here (ENVIRONMENT.md): ~1,450 samples/s training LeNet on 28x28, ~135/s a small ResNet on 32x32.
 *
 *   node esbuild.mjs --tests && node out/bench/data.js
 *
 * Data are generated once into os.tmpdir() and reused: the Digits benchmark at size 5,000 (its
 * downloads cached in .cache/ of the repository) and 2,000 JPEGs cut from the Debian photos the
 * generator fetched. The kernel's page cache cannot be dropped here, so "cold" means cold for
 * the decoder, not for the disk. Machines are shared: the load average is printed with the table.
 */
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataLoader, type LoaderOptions } from '../src/trainer/data/dataLoader';
import { loadDataset, type LoadedDataset } from '../src/trainer/data/dataset';
import { generateDigits } from '../src/trainer/digitsBenchmark/generateDigits';
import { loadSharp } from '../src/trainer/data/sharpModule';

const CACHE = path.resolve(__dirname, '../../.cache/kd-uda-lab');
const DIGITS = path.join(os.tmpdir(), 'kd-uda-bench-digits-5000');
const JPEGS = path.join(os.tmpdir(), 'kd-uda-bench-jpeg-2000');
const BATCH = 64;
/** The loader's default prefetch depth. */
const PREFETCH = 4;

async function ensureDigits(): Promise<void> {
  if (existsSync(path.join(DIGITS, 'manifest.json'))) return;
  await generateDigits({ out: DIGITS, size: 5_000, seed: 0, cacheFolder: CACHE, log: (line) => console.error(`  ${line}`) });
}

/** 2,000 JPEGs (quality 90) of 300x300 to 640x480, cut at random from the generator's photos, two domains x 10 classes. */
async function ensureJpegs(): Promise<void> {
  if (existsSync(path.join(JPEGS, '.complete'))) return;
  const sharp = await loadSharp(CACHE);
  const photoRoot = path.join(CACHE, 'debian');
  const photos = (await fs.readdir(photoRoot, { recursive: true }))
    .filter((file) => /(astronaut|chelsea|coffee|rocket|motorcycle_left|china|flower)\.(png|jpg)$/.test(file))
    .map((file) => path.join(photoRoot, file));
  if (photos.length === 0) throw new Error(`no photos under ${photoRoot}: run the Digits generator (or this bench's digits part) first`);
  const sizes = [
    [300, 300],
    [640, 480],
    [480, 360],
    [400, 400],
  ];
  for (let i = 0; i < 2_000; i++) {
    const photo = sharp(photos[i % photos.length]);
    const { width = 0, height = 0 } = await photo.metadata();
    const [w, h] = sizes[i % sizes.length];
    const cropW = Math.min(width, Math.round(w * 1.3));
    const cropH = Math.min(height, Math.round(h * 1.3));
    const left = (i * 37) % Math.max(1, width - cropW);
    const top = (i * 53) % Math.max(1, height - cropH);
    const file = path.join(JPEGS, i % 2 ? 'webcam' : 'amazon', `class${(i >> 1) % 10}`, `${i}.jpg`);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await photo.extract({ left, top, width: cropW, height: cropH }).resize(w, h, { fit: 'fill' }).jpeg({ quality: 90 }).toFile(file);
  }
  await fs.writeFile(path.join(JPEGS, '.complete'), '');
}

/** Samples/s over `steps` training steps (source + targets); the first pass is cold unless warmed. */
async function measure(dataset: LoadedDataset, options: Omit<LoaderOptions, 'seed'>, steps: number, warm: boolean): Promise<number> {
  const loader = await DataLoader.create({ ...options, seed: 0 });
  const stepsOf = loader.trainingSteps(dataset, BATCH);
  if (warm) {
    const perPass = Math.ceil(Math.max(dataset.source.train.length, ...dataset.targets.map((target) => target.train.length)) / BATCH) + 1;
    for (let i = 0; i < perPass; i++) await stepsOf.next();
  }
  const started = performance.now();
  for (let i = 0; i < steps; i++) await stepsOf.next();
  const seconds = (performance.now() - started) / 1000;
  const samples = steps * BATCH * (1 + dataset.targets.length);
  if (!warm && loader.stats().cacheHits > samples * 0.2) throw new Error('the cold measurement hit the cache: use fewer steps');
  return samples / seconds;
}

function row(label: string, cold: number, cached: number): string {
  const format = (value: number): string => Math.round(value).toLocaleString('en-US');
  return `| ${label} | ${format(cold)} | ${format(cached)} |`;
}

async function main(): Promise<void> {
  await ensureDigits();
  await ensureJpegs();
  const digits = await loadDataset({ root: DIGITS, source: 'mnist', targets: ['mnist-photo'], split: { kind: 'folders' }, seed: 0 });
  const fonts = await loadDataset({ root: DIGITS, source: 'font-digits', targets: ['mnist-photo'], split: { kind: 'folders' }, seed: 0 });
  const jpegs = await loadDataset({ root: JPEGS, source: 'amazon', targets: ['webcam'], split: { kind: 'all' }, seed: 0 });
  // Cold runs stay within one pass of the smallest domain (the loader draws PREFETCH batches ahead), so every sample is decoded.
  const onePass = (dataset: LoadedDataset): number =>
    Math.floor(Math.min(dataset.source.train.length, ...dataset.targets.map((target) => target.train.length)) / BATCH) - PREFETCH - 1;
  const digitSteps = Math.min(onePass(digits), onePass(fonts));
  const jpegSteps = onePass(jpegs);

  const rows = [
    row(
      '28x28x1, mnist -> mnist-photo PNGs',
      await measure(digits, { imageSize: 28, channels: 1 }, digitSteps, false),
      await measure(digits, { imageSize: 28, channels: 1 }, 300, true),
    ),
    row(
      '28x28x3, mnist -> mnist-photo PNGs',
      await measure(digits, { imageSize: 28, channels: 3 }, digitSteps, false),
      await measure(digits, { imageSize: 28, channels: 3 }, 300, true),
    ),
    row(
      '32x32x3, font-digits -> mnist-photo (28 resized to 32)',
      await measure(fonts, { imageSize: 32, channels: 3 }, digitSteps, false),
      await measure(fonts, { imageSize: 32, channels: 3 }, 300, true),
    ),
    row(
      '224x224x3 JPEGs, no augmentation',
      await measure(jpegs, { imageSize: 224, channels: 3 }, jpegSteps, false),
      await measure(jpegs, { imageSize: 224, channels: 3 }, 40, true),
    ),
    row(
      '224x224x3 JPEGs, random resized crop + flip',
      await measure(jpegs, { imageSize: 224, channels: 3, augment: { randomResizedCrop: true, horizontalFlip: true } }, jpegSteps, false),
      await measure(jpegs, { imageSize: 224, channels: 3, augment: { randomResizedCrop: true, horizontalFlip: true } }, 40, true),
    ),
  ];
  console.log(`Data loader throughput, batch ${BATCH} per domain, source + 1 target per step (samples/s delivered)`);
  console.log(
    `Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, load average ${os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}\n`,
  );
  console.log('| data | cold (decoding) | cached |');
  console.log('|---|---:|---:|');
  for (const line of rows) console.log(line);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
