/**
 * Windows BMP, which libvips (and so sharp) does not read. Uncompressed 1/4/8-bit palette,
 * 16/24/32-bit, and bit-field images, bottom-up or top-down; alpha is dropped. Run-length
 * compressed BMPs are rare in datasets and are refused with a message saying so.
 */

export interface RawRgbImage {
  width: number;
  height: number;
  /** width x height x 3 bytes, rows top to bottom. */
  pixels: Uint8Array;
}

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

/** Extracts the channel under `mask` and scales it to 0..255. */
function maskReader(mask: number): (value: number) => number {
  if (mask === 0) return () => 0;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  return (value) => Math.round((((value & mask) >>> shift) * 255) / max);
}

export function decodeBmp(input: Uint8Array): RawRgbImage {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const fail = (why: string): never => {
    throw new Error(`not a readable BMP: ${why}`);
  };
  if (!isBmp(bytes) || bytes.length < 26) fail('the file is too short for a BMP header');
  const dataOffset = bytes.readUInt32LE(10);
  const headerSize = bytes.readUInt32LE(14);
  if (headerSize < 40) fail(`OS/2 BMP headers (${headerSize} bytes) are not supported`);
  if (bytes.length < 14 + headerSize) fail('the header is truncated');
  const width = bytes.readInt32LE(18);
  const signedHeight = bytes.readInt32LE(22);
  const bitsPerPixel = bytes.readUInt16LE(28);
  const compression = bytes.readUInt32LE(30);
  const height = Math.abs(signedHeight);
  if (width <= 0 || height === 0 || width > 65535 || height > 65535) fail(`implausible size ${width}x${signedHeight}`);
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    fail(`compression ${compression} (run-length encoded or embedded JPEG/PNG) is not supported`);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bitsPerPixel)) fail(`${bitsPerPixel} bits per pixel is not a BMP depth`);

  let masks: [number, number, number] = [0, 0, 0];
  if (compression === BI_RGB) masks = bitsPerPixel === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0x00ff00, 0x0000ff];
  // Bit-field masks sit right after a 40-byte header, which is also where later headers keep them.
  else if (bytes.length < 66) fail('the bit-field masks are truncated');
  else masks = [bytes.readUInt32LE(54), bytes.readUInt32LE(58), bytes.readUInt32LE(62)];
  const [red, green, blue] = masks.map(maskReader);

  let palette: Uint8Array | undefined;
  if (bitsPerPixel <= 8) {
    const declared = bytes.readUInt32LE(46);
    const colours = declared === 0 ? 1 << bitsPerPixel : declared;
    const start = 14 + headerSize;
    if (bytes.length < start + colours * 4) fail('the palette is truncated');
    palette = new Uint8Array(256 * 3);
    for (let i = 0; i < Math.min(colours, 256); i++) {
      palette[i * 3] = bytes[start + i * 4 + 2];
      palette[i * 3 + 1] = bytes[start + i * 4 + 1];
      palette[i * 3 + 2] = bytes[start + i * 4];
    }
  }

  const stride = Math.ceil((width * bitsPerPixel) / 32) * 4;
  if (bytes.length < dataOffset + stride * height) fail(`the pixel data is truncated (${bytes.length} bytes, ${dataOffset + stride * height} needed)`);
  const pixels = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row++) {
    const sourceRow = signedHeight > 0 ? height - 1 - row : row;
    const rowStart = dataOffset + sourceRow * stride;
    for (let x = 0; x < width; x++) {
      const out = (row * width + x) * 3;
      if (palette) {
        const bitOffset = x * bitsPerPixel;
        const byte = bytes[rowStart + (bitOffset >> 3)];
        const index = (byte >> (8 - bitsPerPixel - (bitOffset & 7))) & ((1 << bitsPerPixel) - 1);
        pixels[out] = palette[index * 3];
        pixels[out + 1] = palette[index * 3 + 1];
        pixels[out + 2] = palette[index * 3 + 2];
      } else if (bitsPerPixel === 24) {
        pixels[out] = bytes[rowStart + x * 3 + 2];
        pixels[out + 1] = bytes[rowStart + x * 3 + 1];
        pixels[out + 2] = bytes[rowStart + x * 3];
      } else {
        const value = bitsPerPixel === 16 ? bytes.readUInt16LE(rowStart + x * 2) : bytes.readUInt32LE(rowStart + x * 4);
        pixels[out] = red(value);
        pixels[out + 1] = green(value);
        pixels[out + 2] = blue(value);
      }
    }
  }
  return { width, height, pixels };
}
