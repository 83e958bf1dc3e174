import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Sharp } from '../data/sharpModule';
import { pickBalanced } from './classBalance';
import type { DigitsSizes, DomainPlan, DomainSource } from './digitsDomain';

const SIDE = 28;

/** The 1,797 8x8 digits of scikit-learn's digits.csv.gz: 64 values of 0-16, then the label, a line each. */
async function readDigitsCsv(file: string): Promise<{ images: Uint8Array[]; labels: Uint8Array }> {
  const text = (await promisify(gunzip)(await fs.readFile(file))).toString('utf8');
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const values = line.split(',').map(Number);
    if (values.length !== 65 || values.some((value) => !Number.isFinite(value) || value < 0 || value > 16)) {
      throw new Error(`${file}:${index + 1}: expected 64 pixel values of 0-16 and a label 0-9, got ${JSON.stringify(line.slice(0, 60))}`);
    }
    images.push(Uint8Array.from(values.slice(0, 64), (value) => Math.round((value * 255) / 16)));
    labels.push(values[64]);
  });
  return { images, labels: Uint8Array.from(labels) };
}

/**
 * The UCI optical recognition of handwritten digits, as scikit-learn ships it: the UCI test set,
 * 1,797 digits by 13 writers (43 wrote the whole UCI set), 32x32 bitmaps counted in 4x4 blocks down
 * to 8x8 with 17 gray levels, upscaled here to 28x28 with a cubic filter. Independent real
 * handwriting, not MNIST.
 */
export async function uciDigitsDomain(sharp: Sharp, csvFile: string, source: DomainSource, sizes: DigitsSizes, seed: number): Promise<DomainPlan> {
  const { images, labels } = await readDigitsCsv(csvFile);
  const total = Math.min(images.length, sizes.train + sizes.test);
  const test = Math.round((total * sizes.test) / (sizes.train + sizes.test));
  const [testPicks, trainPicks] = pickBalanced(labels, [test, total - test], seed, 'uci-digits');
  const upscaled = new Map<number, Uint8Array>();
  await Promise.all(
    [...testPicks, ...trainPicks].map(async (index) => {
      const data = await sharp(images[index], { raw: { width: 8, height: 8, channels: 1 } })
        .resize(SIDE, SIDE, { kernel: 'cubic' })
        .toColourspace('b-w')
        .raw()
        .toBuffer();
      upscaled.set(index, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }),
  );
  const chosen = { train: trainPicks, test: testPicks };
  return {
    name: 'uci-digits',
    description: 'UCI optical handwritten digits (the UCI test set: 8x8, 17 gray levels, 13 writers) upscaled to 28x28 gray.',
    standsInFor: 'A USPS-like low-resolution handwriting domain. These are the UCI optical digits, not USPS.',
    recipe: `A class-balanced, seeded split of the ${images.length} images (all of them at the default size); 0-16 scaled to 0-255, upscaled 8x8 -> ${SIDE}x${SIDE} with a cubic filter.`,
    imageSize: SIDE,
    channels: 1,
    counts: { train: trainPicks.length, test: testPicks.length },
    sources: [source],
    image: (split, index) => {
      const picked = chosen[split][index];
      return { label: labels[picked], pixels: upscaled.get(picked)!, width: SIDE, height: SIDE, channels: 1 };
    },
  };
}
