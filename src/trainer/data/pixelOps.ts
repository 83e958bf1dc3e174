/** Byte-image conversions for images that never go through sharp (IDX digits, small PNGs). */

function grayToRgb(gray: Uint8Array): Uint8Array {
  const rgb = new Uint8Array(gray.length * 3);
  for (let i = 0, o = 0; i < gray.length; i++, o += 3) rgb[o] = rgb[o + 1] = rgb[o + 2] = gray[i];
  return rgb;
}

/** ITU-R BT.601 luma, as PIL's convert('L') and torchvision's Grayscale compute it. */
function rgbToGray(rgb: Uint8Array): Uint8Array {
  const gray = new Uint8Array(rgb.length / 3);
  for (let i = 0, o = 0; i < gray.length; i++, o += 3) gray[i] = Math.round(0.299 * rgb[o] + 0.587 * rgb[o + 1] + 0.114 * rgb[o + 2]);
  return gray;
}

export function toChannels(pixels: Uint8Array, from: 1 | 3, to: 1 | 3): Uint8Array {
  if (from === to) return pixels;
  return to === 3 ? grayToRgb(pixels) : rgbToGray(pixels);
}

/**
 * Bilinear resize of a square byte image (pixel centres aligned). Only for small factors: beyond
 * 2x down it would alias, and such images go to sharp, which filters properly.
 */
export function resizeSquare(pixels: Uint8Array, from: number, channels: number, to: number): Uint8Array {
  if (from === to) return pixels;
  const out = new Uint8Array(to * to * channels);
  const step = from / to;
  const last = from - 1;
  for (let y = 0; y < to; y++) {
    const sy = Math.min(Math.max((y + 0.5) * step - 0.5, 0), last);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, last);
    const fy = sy - y0;
    for (let x = 0; x < to; x++) {
      const sx = Math.min(Math.max((x + 0.5) * step - 0.5, 0), last);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, last);
      const fx = sx - x0;
      for (let k = 0; k < channels; k++) {
        const top = pixels[(y0 * from + x0) * channels + k] * (1 - fx) + pixels[(y0 * from + x1) * channels + k] * fx;
        const bottom = pixels[(y1 * from + x0) * channels + k] * (1 - fx) + pixels[(y1 * from + x1) * channels + k] * fx;
        out[(y * to + x) * channels + k] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return out;
}
