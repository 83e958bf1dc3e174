import type { SeededRandom } from './seededRandom';

/**
 * Training augmentation, off unless asked for (digits must not be flipped: a mirrored 2 is not a 2).
 * randomResizedCrop follows torchvision's RandomResizedCrop (area and aspect ranges below), taken
 * from an image decoded slightly larger than the model input (see `augmentedBaseSize`).
 */
export interface AugmentOptions {
  randomResizedCrop?: boolean;
  horizontalFlip?: boolean;
  /** Crop area as a fraction of the image; torchvision's default [0.08, 1]. */
  scale?: readonly [number, number];
  /** Crop aspect ratio range; torchvision's default [3/4, 4/3]. */
  ratio?: readonly [number, number];
}

/** A region of the base image, in pixels. */
export interface Crop {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SampleTransform {
  crop?: Crop;
  flip: boolean;
}

export const NO_TRANSFORM: SampleTransform = { flip: false };

export function isAugmenting(options: AugmentOptions | undefined): boolean {
  return Boolean(options?.randomResizedCrop || options?.horizontalFlip);
}

/**
 * Random crops are cut from an image decoded at 8/7 of the input size (256 for 224, the usual
 * "resize to 256, crop 224"), so the decoded image can be cached and cropped anew every epoch.
 */
export function augmentedBaseSize(imageSize: number, options: AugmentOptions | undefined): number {
  return options?.randomResizedCrop ? Math.round((imageSize * 8) / 7) : imageSize;
}

function randomCrop(random: SeededRandom, size: number, scale: readonly [number, number], ratio: readonly [number, number]): Crop {
  const area = size * size;
  const [logLow, logHigh] = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * random.uniform(scale[0], scale[1]);
    const aspect = Math.exp(random.uniform(logLow, logHigh));
    const width = Math.round(Math.sqrt(target * aspect));
    const height = Math.round(Math.sqrt(target / aspect));
    if (width > 0 && height > 0 && width <= size && height <= size) {
      return { x: random.int(size - width + 1), y: random.int(size - height + 1), width, height };
    }
  }
  return { x: 0, y: 0, width: size, height: size };
}

export function drawTransform(random: SeededRandom, baseSize: number, options: AugmentOptions | undefined): SampleTransform {
  const crop = options?.randomResizedCrop ? randomCrop(random, baseSize, options.scale ?? [0.08, 1], options.ratio ?? [3 / 4, 4 / 3]) : undefined;
  const flip = Boolean(options?.horizontalFlip) && random.next() < 0.5;
  return { crop, flip };
}
