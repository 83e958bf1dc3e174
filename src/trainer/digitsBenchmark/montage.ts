import type { DigitImage, DomainPlan } from './digitsDomain';
import { encodePng } from './pngEncoder';

const COLUMNS = 16;
const ZOOM = 2;
const GAP = 2;

/**
 * A contact sheet of the domain's training images: one row per class (0 at the top), the first
 * COLUMNS images of that class, each magnified ZOOM times, on mid grey. Meant to be looked at.
 */
export function montagePng(plan: DomainPlan): Buffer {
  const rows: DigitImage[][] = Array.from({ length: 10 }, () => []);
  for (let index = 0; index < plan.counts.train && rows.some((row) => row.length < COLUMNS); index++) {
    const image = plan.image('train', index);
    if (rows[image.label].length < COLUMNS) rows[image.label].push(image);
  }
  const tile = plan.imageSize * ZOOM;
  const columns = Math.max(1, ...rows.map((row) => row.length));
  const width = columns * (tile + GAP) + GAP;
  const height = 10 * (tile + GAP) + GAP;
  const pixels = new Uint8Array(width * height * 3).fill(128);
  rows.forEach((row, rowIndex) => {
    row.forEach((image, column) => {
      const left = GAP + column * (tile + GAP);
      const top = GAP + rowIndex * (tile + GAP);
      for (let y = 0; y < image.height * ZOOM; y++) {
        for (let x = 0; x < image.width * ZOOM; x++) {
          const from = (Math.floor(y / ZOOM) * image.width + Math.floor(x / ZOOM)) * image.channels;
          const to = ((top + y) * width + left + x) * 3;
          for (let c = 0; c < 3; c++) pixels[to + c] = image.pixels[from + (image.channels === 3 ? c : 0)];
        }
      }
    });
  });
  return encodePng(pixels, width, height, 3);
}
