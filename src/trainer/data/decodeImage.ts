import { promises as fs } from 'node:fs';
import { decodeBmp, isBmp } from './bmpDecoder';
import { resizeSquare, toChannels } from './pixelOps';
import { decodeSimplePng } from './pngFastPath';
import type { Sharp } from './sharpModule';
import type { ImageSource } from './samples';

/** What every decoded image becomes, whatever it was on disk. */
export interface DecodeTarget {
  /** Square side in pixels. */
  size: number;
  channels: 1 | 3;
  /** stretch: the whole image, aspect ratio not kept; cover: scaled to fill, the centre kept. */
  fit: 'stretch' | 'cover';
}

/** A square within 2x of the target is resized here; sharp's per-call cost dwarfs the work for small digits. */
function isSmallSquare(width: number, height: number, size: number): boolean {
  return width === height && width <= 2 * size && size <= 2 * width;
}

type Input = { pixels: Uint8Array; size: number; channels: 1 | 3 } | ReturnType<Sharp>;

async function readInput(sharp: Sharp, source: ImageSource, size: number): Promise<Input> {
  if (source.kind === 'idx') {
    const { rows, columns, pixels } = source.images;
    const area = rows * columns;
    const gray = pixels.subarray(source.index * area, (source.index + 1) * area);
    if (isSmallSquare(columns, rows, size)) return { pixels: gray, size: rows, channels: 1 };
    return sharp(gray, { raw: { width: columns, height: rows, channels: 1 } });
  }
  const bytes = await fs.readFile(source.path);
  const png = decodeSimplePng(bytes);
  if (png && isSmallSquare(png.width, png.height, size)) return { pixels: png.pixels, size: png.width, channels: png.channels };
  if (isBmp(bytes)) {
    const { width, height, pixels } = decodeBmp(bytes);
    return sharp(pixels, { raw: { width, height, channels: 3 } });
  }
  // failOn 'warning' turns a truncated JPEG or PNG into an error instead of a half-grey image.
  return sharp(bytes, { failOn: 'warning' }).autoOrient().removeAlpha();
}

/**
 * Decodes one image (png, jpg, bmp, webp, gif, tiff; any bit depth; gray, RGB, CMYK, with or without
 * alpha, which is dropped) to `size` x `size` x `channels` bytes, HWC. Rejects with the decoder's
 * reason for a corrupt or truncated file; callers skip and report it.
 */
export async function decodeImage(sharp: Sharp, source: ImageSource, target: DecodeTarget): Promise<Uint8Array> {
  const { size, channels } = target;
  const input = await readInput(sharp, source, size);
  if ('pixels' in input) return resizeSquare(toChannels(input.pixels, input.channels, channels), input.size, channels, size);
  // Always to RGB first: gray comes from the same BT.601 formula as on the direct path, so an
  // image's gray values do not depend on which decoder its size sent it to.
  const { data, info } = await input
    .resize(size, size, { fit: target.fit === 'stretch' ? 'fill' : 'cover' })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.width !== size || info.height !== size || info.channels !== 3) {
    throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}, expected ${size}x${size}x3`);
  }
  return toChannels(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 3, channels);
}
