import { createHash } from 'node:crypto';
import { mapWithConcurrency } from '../../datasetScan/mapWithConcurrency';
import type { Canvas } from './canvasModule';
import { digitCoverage } from './fontCoverage';

/**
 * Keeps the digit glyphs a reader would recognise. After the character-map check
 * (fontCoverage.ts) every digit of every candidate font is drawn, cropped to its ink, scaled into
 * a box as MNIST normalises a digit, and blurred down to 8x8 (so stroke weight matters little).
 * A glyph is legible when most of its nearest glyphs in other fonts are the same digit: that
 * drops dingbat and pictogram fonts that put pictures where digits belong, and decorative digits
 * that look like other digits. Of nearly identical fonts (optical sizes, one face in two formats
 * or packages) only the first is kept, so no face dominates the domain. A font needs
 * `MIN_LEGIBLE_DIGITS` legible digits to be used at all, and then lends only those.
 */

export interface FontFile {
  file: string;
  /** The Debian package, or 'system', or the folder it came from. */
  origin: string;
}

export interface LegibleFont extends FontFile {
  /** The digits (0-9) whose glyphs passed. */
  digits: number[];
}

export interface FontVerdicts {
  accepted: LegibleFont[];
  rejected: { file: string; reason: string }[];
}

const RENDER = 64;
const FONT_PX = 44;
const BOX = 24;
const GRID = 8;
const NEIGHBOURS = 5;
const AGREEING_NEIGHBOURS = 3;
/** Mean similarity of all ten digits above which a font adds nothing to one already kept. */
const NEAR_DUPLICATE_SIMILARITY = 0.985;
const MAX_VOTING_FONTS = 150;
const MIN_LEGIBLE_DIGITS = 8;

/**
 * Ink of digit `digit` in a row of ten RENDER x RENDER cells, cropped to its box, fitted into
 * BOX x BOX (aspect kept), averaged down to GRID x GRID, zero-mean, unit length.
 */
function shapeVector(rgba: Uint8ClampedArray, digit: number): Float32Array | undefined {
  const rowWidth = RENDER * 10;
  const alphaAt = (x: number, y: number): number => rgba[(y * rowWidth + digit * RENDER + x) * 4 + 3];
  let [left, top, right, bottom] = [RENDER, RENDER, -1, -1];
  for (let y = 0; y < RENDER; y++) {
    for (let x = 0; x < RENDER; x++) {
      if (alphaAt(x, y) > 96) {
        left = Math.min(left, x);
        right = Math.max(right, x);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
  }
  if (right < 0) return undefined;
  const width = right - left + 1;
  const height = bottom - top + 1;
  // A glyph a few pixels tall at 44 px is a placeholder, not a digit.
  if (height < FONT_PX * 0.2) return undefined;
  const scale = Math.max(width, height) / (BOX - 4);
  const offsetX = (BOX - width / scale) / 2;
  const offsetY = (BOX - height / scale) / 2;
  const vector = new Float32Array(GRID * GRID);
  const cell = BOX / GRID;
  for (let y = 0; y < BOX; y++) {
    for (let x = 0; x < BOX; x++) {
      const sourceX = Math.floor(left + (x - offsetX + 0.5) * scale);
      const sourceY = Math.floor(top + (y - offsetY + 0.5) * scale);
      if (sourceX < left || sourceX > right || sourceY < top || sourceY > bottom) continue;
      vector[Math.floor(y / cell) * GRID + Math.floor(x / cell)] += alphaAt(sourceX, sourceY);
    }
  }
  const mean = vector.reduce((sum, value) => sum + value, 0) / vector.length;
  let norm = 0;
  for (let i = 0; i < vector.length; i++) {
    vector[i] -= mean;
    norm += vector[i] * vector[i];
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < vector.length; i++) vector[i] /= norm;
  return vector;
}

function dot(a: Float32Array, aAt: number, b: Float32Array, bAt: number): number {
  let sum = 0;
  for (let i = 0; i < GRID * GRID; i++) sum += a[aAt + i] * b[bAt + i];
  return sum;
}

/** Mean similarity of the ten digits of fonts f and g. */
function fontSimilarity(glyphs: Float32Array, f: number, g: number): number {
  const size = GRID * GRID;
  let similarity = 0;
  for (let d = 0; d < 10; d++) similarity += dot(glyphs, (f * 10 + d) * size, glyphs, (g * 10 + d) * size);
  return similarity / 10;
}

/** Fonts whose digits nearly match an earlier font's (optical sizes, hinting variants, one face in two packages). */
function nearDuplicates(glyphs: Float32Array, fonts: number): Set<number> {
  const duplicates = new Set<number>();
  for (let f = 0; f < fonts; f++) {
    if (duplicates.has(f)) continue;
    for (let g = f + 1; g < fonts; g++) {
      if (!duplicates.has(g) && fontSimilarity(glyphs, f, g) > NEAR_DUPLICATE_SIMILARITY) duplicates.add(g);
    }
  }
  return duplicates;
}

/**
 * For every glyph (font f, digit d at f * 10 + d), how many of its NEIGHBOURS nearest glyphs in the
 * voting fonts (other than f) are digit d. Voters are an evenly spread subset of at most
 * MAX_VOTING_FONTS fonts: a full all-pairs search over a thousand fonts costs tens of seconds.
 */
function agreeingNeighbours(glyphs: Float32Array, fonts: readonly number[]): Map<number, number> {
  const size = GRID * GRID;
  const stride = Math.max(1, fonts.length / MAX_VOTING_FONTS);
  const voters = Array.from({ length: Math.min(fonts.length, MAX_VOTING_FONTS) }, (_, index) => fonts[Math.floor(index * stride)]);
  const agreeing = new Map<number, number>();
  const bestScores = new Float32Array(NEIGHBOURS);
  const bestDigits = new Int8Array(NEIGHBOURS);
  for (const font of fonts) {
    for (let digit = 0; digit < 10; digit++) {
      const query = (font * 10 + digit) * size;
      bestScores.fill(-2);
      for (const voter of voters) {
        if (voter === font) continue;
        for (let other = 0; other < 10; other++) {
          const score = dot(glyphs, query, glyphs, (voter * 10 + other) * size);
          if (score <= bestScores[NEIGHBOURS - 1]) continue;
          let at = NEIGHBOURS - 1;
          while (at > 0 && bestScores[at - 1] < score) {
            bestScores[at] = bestScores[at - 1];
            bestDigits[at] = bestDigits[at - 1];
            at--;
          }
          bestScores[at] = score;
          bestDigits[at] = other;
        }
      }
      let votes = 0;
      for (let k = 0; k < NEIGHBOURS; k++) if (bestScores[k] > -2 && bestDigits[k] === digit) votes++;
      agreeing.set(font * 10 + digit, votes);
    }
  }
  return agreeing;
}

/** Registers a font under a private family name, for rendering it alone. */
function fontFamilyAlias(index: number): string {
  return `kd-uda-font-${index}`;
}

export async function filterLegibleFonts(canvas: Canvas, candidates: readonly FontFile[]): Promise<FontVerdicts> {
  const rejected: FontVerdicts['rejected'] = [];
  const coverage = await mapWithConcurrency(candidates, 8, (font) => digitCoverage(font.file));
  const surface = canvas.createCanvas(RENDER * 10, RENDER);
  const context = surface.getContext('2d');
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  const drawn: { font: FontFile; vectors: Float32Array[] }[] = [];
  const seen = new Set<string>();
  candidates.forEach((font, index) => {
    const covered = coverage[index];
    if (!covered.ok) {
      rejected.push({ file: font.file, reason: covered.reason });
      return;
    }
    const family = fontFamilyAlias(index);
    if (!canvas.GlobalFonts.registerFromPath(font.file, family)) {
      rejected.push({ file: font.file, reason: 'the renderer cannot load it' });
      return;
    }
    context.clearRect(0, 0, RENDER * 10, RENDER);
    context.font = `${FONT_PX}px "${family}"`;
    for (let digit = 0; digit < 10; digit++) context.fillText(String(digit), digit * RENDER + RENDER / 2, RENDER / 2);
    const rgba = context.getImageData(0, 0, RENDER * 10, RENDER).data;
    const vectors: Float32Array[] = [];
    for (let digit = 0; digit < 10; digit++) {
      const vector = shapeVector(rgba, digit);
      if (!vector) {
        rejected.push({ file: font.file, reason: `digit ${digit} draws no visible glyph` });
        return;
      }
      vectors.push(vector);
    }
    const key = createHash('sha1').update(rgba).digest('hex');
    if (seen.has(key)) {
      rejected.push({ file: font.file, reason: 'draws the same digits as a font already kept' });
      return;
    }
    seen.add(key);
    drawn.push({ font, vectors });
  });

  const glyphs = new Float32Array(drawn.length * 10 * GRID * GRID);
  drawn.forEach((entry, font) => entry.vectors.forEach((vector, digit) => glyphs.set(vector, (font * 10 + digit) * GRID * GRID)));
  const duplicates = nearDuplicates(glyphs, drawn.length);
  const distinct = drawn.flatMap((entry, font) => {
    if (!duplicates.has(font)) return [font];
    rejected.push({ file: entry.font.file, reason: 'draws nearly the same digits as a font already kept' });
    return [];
  });
  const agreeing = agreeingNeighbours(glyphs, distinct);
  const accepted: LegibleFont[] = [];
  for (const font of distinct) {
    const entry = drawn[font];
    const digits = entry.vectors.flatMap((_, digit) => (agreeing.get(font * 10 + digit)! >= AGREEING_NEIGHBOURS ? [digit] : []));
    if (digits.length >= MIN_LEGIBLE_DIGITS) accepted.push({ ...entry.font, digits });
    else
      rejected.push({
        file: entry.font.file,
        reason: `illegible: ${digits.length === 0 ? 'no digit looks' : `only ${digits.join(', ')} look`} like itself to other fonts`,
      });
  }
  return { accepted, rejected };
}
