import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { encodePng } from '../../src/trainer/digitsBenchmark/pngEncoder';
import type { DataProblem } from '../../src/trainer/data/samples';

/** A fresh temporary folder, removed when the test ends. */
export async function dataTempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-data-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function writeFileAt(root: string, relative: string, bytes: Buffer | string): Promise<string> {
  const file = path.join(root, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
  return file;
}

/** A PNG whose every pixel is `value` (gray) or [value, value/2, 255-value] (RGB): its class shows in its pixels. */
export function flatPng(value: number, size = 8, channels: 1 | 3 = 1): Buffer {
  const pixels = new Uint8Array(size * size * channels);
  for (let i = 0; i < size * size; i++) {
    if (channels === 1) pixels[i] = value;
    else pixels.set([value, value >> 1, 255 - value], i * 3);
  }
  return encodePng(pixels, size, size, channels);
}

/** `<root>/<domain>/<class>/<i>.png` with gray value 10 * class index + i, so a decoded pixel names its image. */
export async function writeImageFolder(root: string, spec: Record<string, Record<string, number>>, prefix = ''): Promise<void> {
  for (const [domain, classes] of Object.entries(spec)) {
    for (const [classIndex, [name, count]] of Object.entries(classes).entries()) {
      for (let i = 0; i < count; i++) await writeFileAt(root, path.join(prefix, domain, name, `${i}.png`), flatPng(classIndex * 10 + i));
    }
  }
}

export function idxLabels(labels: readonly number[]): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(0x00000801, 0);
  header.writeUInt32BE(labels.length, 4);
  return Buffer.concat([header, Buffer.from(labels)]);
}

/** Image i is filled with the value i. */
export function idxImages(count: number, rows = 4, columns = 4): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x00000803, 0);
  header.writeUInt32BE(count, 4);
  header.writeUInt32BE(rows, 8);
  header.writeUInt32BE(columns, 12);
  const pixels = Buffer.alloc(count * rows * columns);
  for (let i = 0; i < count; i++) pixels.fill(i, i * rows * columns, (i + 1) * rows * columns);
  return Buffer.concat([header, pixels]);
}

/** Collects what the pipeline reports, for assertions. */
export function problemLog(): { problems: DataProblem[]; onProblem: (problem: DataProblem) => void } {
  const problems: DataProblem[] = [];
  return { problems, onProblem: (problem) => problems.push(problem) };
}

/** Undoes the 'unit' normalisation of the first pixel of image k of a batch. */
export function firstPixel(images: Float32Array, k: number, size: number, channels: number): number {
  return Math.round(images[k * size * size * channels] * 255);
}
