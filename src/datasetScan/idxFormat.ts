/**
 * The IDX format MNIST ships in: a big-endian magic number `0x0000 <type> <dimensions>`, then one
 * 32-bit size per dimension, then the data. Labels are unsigned bytes with one dimension
 * (0x00000801); images are unsigned bytes with three, count x rows x columns (0x00000803).
 */

export const IDX_LABELS_MAGIC = 0x00000801;
export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_HEADER_BYTES = 8;
export const IDX_IMAGES_HEADER_BYTES = 16;

export interface IdxFileName {
  /** What pairs images with labels: `train`, `t10k`. */
  prefix: string;
  kind: 'images' | 'labels';
  gzipped: boolean;
}

/** `train-images-idx3-ubyte`, `t10k-labels-idx1-ubyte.gz`, and the `train-images.idx3-ubyte` spelling. */
const IDX_NAME = /^(.+?)[-_.](images|labels)[-_.]idx\d-ubyte(\.gz)?$/i;

export function parseIdxFileName(name: string): IdxFileName | undefined {
  const match = IDX_NAME.exec(name);
  if (!match) return undefined;
  return { prefix: match[1], kind: match[2].toLowerCase() as 'images' | 'labels', gzipped: match[3] !== undefined };
}

export function formatMagic(magic: number): string {
  return `0x${magic.toString(16).padStart(8, '0')}`;
}
