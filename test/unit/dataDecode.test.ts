import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodeBmp } from '../../src/trainer/data/bmpDecoder';
import { decodeImage } from '../../src/trainer/data/decodeImage';
import { decodeSimplePng } from '../../src/trainer/data/pngFastPath';
import { loadSharp } from '../../src/trainer/data/sharpModule';
import { encodePng } from '../../src/trainer/digitsBenchmark/pngEncoder';
import { dataTempDir, writeFileAt } from './dataFixtures';
import { assertClose } from './numericChecks';

/** A BMP file: 40-byte header, optional palette, rows bottom-up (or top-down), padded to 4 bytes. */
function bmp(
  width: number,
  height: number,
  bits: 8 | 24 | 32,
  pixelAt: (x: number, y: number) => number[],
  options: { topDown?: boolean; palette?: number[][] } = {},
): Buffer {
  const stride = Math.ceil((width * bits) / 32) * 4;
  const paletteBytes = (options.palette?.length ?? 0) * 4;
  const offset = 54 + paletteBytes;
  const file = Buffer.alloc(offset + stride * height);
  file.write('BM', 0, 'ascii');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(offset, 10);
  file.writeUInt32LE(40, 14);
  file.writeInt32LE(width, 18);
  file.writeInt32LE(options.topDown ? -height : height, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(bits, 28);
  file.writeUInt32LE(options.palette?.length ?? 0, 46);
  options.palette?.forEach(([r, g, b], i) => file.set([b, g, r, 0], 54 + i * 4));
  for (let y = 0; y < height; y++) {
    const row = offset + (options.topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const value = pixelAt(x, y);
      if (bits === 8) file[row + x] = value[0];
      else file.set([value[2], value[1], value[0], ...(bits === 32 ? [255] : [])], row + x * (bits / 8));
    }
  }
  return file;
}

test('BMP: 24-bit bottom-up, 32-bit top-down and 8-bit palette images decode to RGB', () => {
  const colour = (x: number, y: number) => [x * 50, y * 60, 200];
  for (const file of [bmp(3, 2, 24, colour), bmp(3, 2, 32, colour, { topDown: true })]) {
    const decoded = decodeBmp(file);
    assert.deepEqual([decoded.width, decoded.height], [3, 2]);
    assert.deepEqual(Array.from(decoded.pixels), [0, 0, 200, 50, 0, 200, 100, 0, 200, 0, 60, 200, 50, 60, 200, 100, 60, 200]);
  }
  const palette = [
    [255, 0, 0],
    [0, 0, 255],
  ];
  assert.deepEqual(Array.from(decodeBmp(bmp(2, 1, 8, (x) => [x], { palette })).pixels), [255, 0, 0, 0, 0, 255]);
  assert.throws(() => decodeBmp(bmp(3, 2, 24, colour).subarray(0, 60)), /pixel data is truncated/);
});

test('every format reaches the same target: png, jpg, webp, tiff, gif, bmp; alpha dropped; gray <-> RGB', async (t) => {
  const root = await dataTempDir(t);
  const red = sharp({ create: { width: 20, height: 20, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 1 } } });
  const files = {
    png: await red.clone().png().toBuffer(),
    jpg: await red.clone().jpeg({ quality: 100 }).toBuffer(),
    webp: await red.clone().webp({ lossless: true }).toBuffer(),
    tiff: await red.clone().tiff().toBuffer(),
    gif: await red.clone().gif().toBuffer(),
    bmp: bmp(20, 20, 24, () => [255, 0, 0]),
  };
  const sharpModule = await loadSharp();
  for (const [extension, bytes] of Object.entries(files)) {
    const file = await writeFileAt(root, `red.${extension}`, bytes);
    const rgb = await decodeImage(sharpModule, { kind: 'file', path: file }, { size: 8, channels: 3, fit: 'cover' });
    assert.equal(rgb.length, 8 * 8 * 3, extension);
    assert.ok(rgb[0] > 240 && rgb[1] < 15 && rgb[2] < 15, `${extension}: red, got ${rgb.slice(0, 3).join(',')}`);
    const gray = await decodeImage(sharpModule, { kind: 'file', path: file }, { size: 8, channels: 1, fit: 'stretch' });
    assert.equal(gray.length, 64, extension);
    assertClose(gray[0], 76, { absolute: 3 }, `${extension}: red's BT.601 luma`);
  }
});

test('the PNG fast path decodes what sharp decodes, and leaves unusual PNGs to sharp', async () => {
  const pixels = new Uint8Array(24 * 24 * 3).map((_, i) => (i * 37) % 256);
  const filtered = await sharp(pixels, { raw: { width: 24, height: 24, channels: 3 } })
    .png({ adaptiveFiltering: true, compressionLevel: 9 })
    .toBuffer();
  const palette = await sharp(pixels, { raw: { width: 24, height: 24, channels: 3 } })
    .png({ palette: true, colours: 200 })
    .toBuffer();
  for (const png of [filtered, palette, encodePng(pixels.subarray(0, 576), 24, 24, 1)]) {
    const fast = decodeSimplePng(png)!;
    const reference = await sharp(png)
      .removeAlpha()
      .toColourspace(fast.channels === 1 ? 'b-w' : 'srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.equal(fast.channels, reference.info.channels);
    assert.deepEqual(Buffer.from(fast.pixels), reference.data);
  }
  const sixteenBit = await sharp(Buffer.alloc(4 * 4 * 2, 9), { raw: { width: 4, height: 4, channels: 2 } })
    .toColourspace('grey16')
    .png()
    .toBuffer();
  assert.equal(decodeSimplePng(sixteenBit), undefined);
  assert.throws(() => decodeSimplePng(filtered.subarray(0, filtered.length - 30)), /truncated/);
});
