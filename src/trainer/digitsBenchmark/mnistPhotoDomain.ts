import type { Sharp } from '../data/sharpModule';
import { deriveSeed, SeededRandom } from '../data/seededRandom';
import { pickBalanced } from './classBalance';
import type { DigitsSizes, DomainPlan, DomainSource } from './digitsDomain';
import { digitOf, mnistSource, type Mnist } from './mnistSource';
import type { PhotoFile } from './photoSources';

interface Photo {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/**
 * Photos are scaled to fit 480x480, the size of the BSDS500 photographs MNIST-M cut its patches
 * from: at wallpaper resolution a 28x28 patch would be a flat colour.
 */
const PHOTO_SIDE = 480;

async function loadPhotos(sharp: Sharp, files: readonly PhotoFile[]): Promise<Photo[]> {
  return Promise.all(
    files.map(async ({ file }) => {
      const { data, info } = await sharp(file)
        .autoOrient()
        .resize(PHOTO_SIDE, PHOTO_SIDE, { fit: 'inside', withoutEnlargement: true })
        .removeAlpha()
        .toColourspace('srgb')
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`${file}: decoded to ${info.channels} channels, 3 expected`);
      return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
    }),
  );
}

/**
 * MNIST test digits blended with patches of real photographs: for each digit a seeded photo and
 * 28x28 patch, and output = |patch - digit| per channel, the recipe Ganin & Lempitsky used to make
 * MNIST-M. MNIST has 10,000 test digits, so train + test is at most 10,000 here.
 */
export async function mnistPhotoDomain(
  sharp: Sharp,
  mnist: Mnist,
  photos: readonly PhotoFile[],
  photoSources: DomainSource[],
  sizes: DigitsSizes,
  seed: number,
): Promise<DomainPlan> {
  const part = mnist.test;
  const available = part.images.count;
  const test = Math.min(sizes.test, Math.floor(available / 2));
  const train = Math.min(sizes.train, available - test);
  const [testPicks, trainPicks] = pickBalanced(part.labels, [test, train], seed, 'mnist-photo');
  const chosen = { train: trainPicks, test: testPicks };
  const decoded = await loadPhotos(sharp, photos);
  return {
    name: 'mnist-photo',
    description: 'MNIST test digits blended with patches of real colour photographs, 28x28 RGB.',
    standsInFor:
      'MNIST-M (Ganin & Lempitsky 2015), which blends MNIST with BSDS500 photos. This is not MNIST-M: same recipe, other photographs (from Debian packages).',
    recipe: `For each digit: a seeded photo (of ${photos.length}, scaled to fit ${PHOTO_SIDE}x${PHOTO_SIDE}) and a seeded 28x28 patch of it; pixel = |patch - digit| per channel. Digits are a class-balanced, seeded subset of MNIST's 10,000 test digits; train and test are disjoint.`,
    imageSize: 28,
    channels: 3,
    counts: { train: trainPicks.length, test: testPicks.length },
    sources: [mnistSource(mnist, ['data/t10k-images-idx3-ubyte', 'data/t10k-labels-idx1-ubyte']), ...photoSources],
    image: (split, index) => {
      const source = chosen[split][index];
      const digit = digitOf(part, source);
      const random = new SeededRandom(deriveSeed(seed, 'mnist-photo', split, index));
      const photo = random.pick(decoded);
      const left = random.int(photo.width - 28 + 1);
      const top = random.int(photo.height - 28 + 1);
      const pixels = new Uint8Array(28 * 28 * 3);
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const value = digit[y * 28 + x];
          const from = ((top + y) * photo.width + left + x) * 3;
          const to = (y * 28 + x) * 3;
          for (let c = 0; c < 3; c++) pixels[to + c] = Math.abs(photo.pixels[from + c] - value);
        }
      }
      return { label: part.labels[source], pixels, width: 28, height: 28, channels: 3 };
    },
  };
}
