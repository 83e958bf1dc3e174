import { promises as fs } from 'node:fs';

/**
 * Reads a TrueType/OpenType font's character map to tell which glyphs the ten digits use. Only a
 * font that maps every digit to a glyph of its own is a candidate: a renderer would otherwise draw
 * a fallback font's digit (or an empty box) under this font's name, and a digit-less font would
 * silently repeat another font's style. Symbol-encoded fonts (dingbats, icon fonts) are refused.
 */

const DIGITS = Array.from({ length: 10 }, (_, digit) => 0x30 + digit);

type GlyphLookup = (code: number) => number;

function format4(view: DataView, at: number): GlyphLookup {
  const segments = view.getUint16(at + 6) / 2;
  const ends = at + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  return (code) => {
    for (let i = 0; i < segments; i++) {
      if (view.getUint16(ends + i * 2) < code) continue;
      const start = view.getUint16(starts + i * 2);
      if (start > code) return 0;
      const delta = view.getInt16(deltas + i * 2);
      const rangeOffset = view.getUint16(rangeOffsets + i * 2);
      if (rangeOffset === 0) return (code + delta) & 0xffff;
      const glyph = view.getUint16(rangeOffsets + i * 2 + rangeOffset + (code - start) * 2);
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
}

function format12(view: DataView, at: number): GlyphLookup {
  const groups = view.getUint32(at + 12);
  return (code) => {
    for (let i = 0; i < groups; i++) {
      const group = at + 16 + i * 12;
      const start = view.getUint32(group);
      if (code >= start && code <= view.getUint32(group + 4)) return view.getUint32(group + 8) + code - start;
    }
    return 0;
  };
}

function format6(view: DataView, at: number): GlyphLookup {
  const first = view.getUint16(at + 6);
  const count = view.getUint16(at + 8);
  return (code) => (code >= first && code < first + count ? view.getUint16(at + 10 + (code - first) * 2) : 0);
}

function format0(view: DataView, at: number): GlyphLookup {
  return (code) => (code < 256 ? view.getUint8(at + 6 + code) : 0);
}

const READERS: Record<number, (view: DataView, at: number) => GlyphLookup> = { 0: format0, 4: format4, 6: format6, 12: format12 };

/** Unicode subtables first (Windows full and BMP, then Unicode platform), Mac Roman last. */
function subtableRank(platform: number, encoding: number): number {
  if (platform === 3 && encoding === 10) return 0;
  if (platform === 3 && encoding === 1) return 1;
  if (platform === 0) return 2;
  if (platform === 1 && encoding === 0) return 3;
  return -1;
}

function cmapLookup(view: DataView): GlyphLookup | 'symbol' | undefined {
  const version = view.getUint32(0);
  // TrueType (1.0 or 'true') and CFF ('OTTO') outlines; collections and Type 1 are not read here.
  if (version !== 0x00010000 && version !== 0x74727565 && version !== 0x4f54544f) return undefined;
  const tables = view.getUint16(4);
  let cmap = -1;
  for (let i = 0; i < tables; i++) {
    if (view.getUint32(12 + i * 16) === 0x636d6170) cmap = view.getUint32(12 + i * 16 + 8);
  }
  if (cmap < 0) return undefined;
  let best: { rank: number; at: number } | undefined;
  let symbolOnly = false;
  const records = view.getUint16(cmap + 2);
  for (let i = 0; i < records; i++) {
    const record = cmap + 4 + i * 8;
    const [platform, encoding, offset] = [view.getUint16(record), view.getUint16(record + 2), view.getUint32(record + 4)];
    if (platform === 3 && encoding === 0) symbolOnly = true;
    const rank = subtableRank(platform, encoding);
    const format = view.getUint16(cmap + offset);
    if (rank >= 0 && READERS[format] && (!best || rank < best.rank)) best = { rank, at: cmap + offset };
  }
  if (!best) return symbolOnly ? 'symbol' : undefined;
  return READERS[view.getUint16(best.at)](view, best.at);
}

export type DigitCoverage = { ok: true } | { ok: false; reason: string };

/** Whether the font file maps '0'-'9' to ten distinct glyphs. */
export async function digitCoverage(file: string): Promise<DigitCoverage> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    return { ok: false, reason: `unreadable: ${(error as Error).message}` };
  }
  try {
    const lookup = cmapLookup(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (lookup === undefined) return { ok: false, reason: 'no Unicode character map (or not a TrueType/OpenType font)' };
    if (lookup === 'symbol') return { ok: false, reason: 'a symbol font (its character map is symbol-encoded)' };
    const glyphs = DIGITS.map(lookup);
    const missing = glyphs.flatMap((glyph, digit) => (glyph === 0 ? [digit] : []));
    if (missing.length > 0) return { ok: false, reason: `no glyph for ${missing.join(', ')}` };
    if (new Set(glyphs).size < 10) return { ok: false, reason: 'digits share glyphs' };
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `damaged font tables (${(error as Error).message})` };
  }
}
