import type { SampleTransform } from './augment';
import type { Normalization } from './normalization';

/** A decoded image: size x size x channels bytes, HWC. */
export interface BaseImage {
  pixels: Uint8Array;
  size: number;
  channels: number;
}

/**
 * Writes one image into a batch at `offset` (NHWC float32), normalised, after its crop and flip.
 * Without a transform and at the model's size it is a straight copy; otherwise bilinear sampling
 * of the crop, with pixel centres aligned as in torchvision's resize.
 */
export function renderSample(image: BaseImage, transform: SampleTransform, outSize: number, norm: Normalization, out: Float32Array, offset: number): void {
  const { pixels, size, channels } = image;
  const { scale, offset: shift } = norm;
  if (!transform.crop && !transform.flip && size === outSize) {
    for (let i = 0, c = 0; i < pixels.length; i++) {
      out[offset + i] = pixels[i] * scale[c] + shift[c];
      if (++c === channels) c = 0;
    }
    return;
  }
  const crop = transform.crop ?? { x: 0, y: 0, width: size, height: size };
  const maxIndex = size - 1;
  // Where each output column samples from, worked out once per image rather than once per pixel.
  const left = new Int32Array(outSize);
  const right = new Int32Array(outSize);
  const weight = new Float32Array(outSize);
  const stepX = crop.width / outSize;
  for (let x = 0; x < outSize; x++) {
    const column = transform.flip ? outSize - 1 - x : x;
    const sourceX = Math.min(Math.max(crop.x + (column + 0.5) * stepX - 0.5, 0), maxIndex);
    const x0 = Math.floor(sourceX);
    left[x] = x0 * channels;
    right[x] = Math.min(x0 + 1, maxIndex) * channels;
    weight[x] = sourceX - x0;
  }
  const stepY = crop.height / outSize;
  for (let y = 0; y < outSize; y++) {
    const sourceY = Math.min(Math.max(crop.y + (y + 0.5) * stepY - 0.5, 0), maxIndex);
    const y0 = Math.floor(sourceY);
    const fy = sourceY - y0;
    const top = y0 * size * channels;
    const bottom = Math.min(y0 + 1, maxIndex) * size * channels;
    let target = offset + y * outSize * channels;
    for (let x = 0; x < outSize; x++) {
      const fx = weight[x];
      const l = left[x];
      const r = right[x];
      for (let k = 0; k < channels; k++) {
        const upper = pixels[top + l + k] + (pixels[top + r + k] - pixels[top + l + k]) * fx;
        const lower = pixels[bottom + l + k] + (pixels[bottom + r + k] - pixels[bottom + l + k]) * fx;
        out[target++] = (upper + (lower - upper) * fy) * scale[k] + shift[k];
      }
    }
  }
}
