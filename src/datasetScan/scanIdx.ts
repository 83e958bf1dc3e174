import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { createGunzip, gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { fileSystemIssue } from './fileSystemIssue';
import { formatMagic, IDX_IMAGES_HEADER_BYTES, IDX_IMAGES_MAGIC, IDX_LABELS_HEADER_BYTES, IDX_LABELS_MAGIC, parseIdxFileName } from './idxFormat';
import { plural } from './issueText';
import type { ClassSummary, DatasetIssue, DomainSummary } from './datasetSummary';

const gunzipAsync = promisify(gunzip);

export interface IdxFile {
  name: string;
  path: string;
  gzipped: boolean;
}

/** The images and labels files of one IDX prefix; either may be missing. */
export interface IdxPair {
  images?: IdxFile;
  labels?: IdxFile;
}

function badIdx(file: IdxFile, message: string): DatasetIssue {
  return { code: 'bad-idx', message: `${file.name}: ${message}`, path: file.path };
}

/**
 * The first `length` bytes (fewer if the file is shorter) of the file, or of what it inflates to:
 * `.gz` files go through zlib so MNIST works as downloaded, and only a header's worth is inflated.
 */
async function readHead(file: IdxFile, length: number): Promise<Buffer> {
  if (!file.gzipped) {
    const handle = await fs.open(file.path, 'r');
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
  const chunks: Buffer[] = [];
  let total = 0;
  const stream = createReadStream(file.path).pipe(createGunzip());
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= length) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, length);
}

async function readWhole(file: IdxFile): Promise<Buffer> {
  const bytes = await fs.readFile(file.path);
  return file.gzipped ? gunzipAsync(bytes) : bytes;
}

/** Fails with the issue to report; file-system and zlib errors become issues too. */
async function readOrIssue<T>(file: IdxFile, read: () => Promise<T | DatasetIssue>): Promise<T | DatasetIssue> {
  try {
    return await read();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('Z_')) return badIdx(file, `not a valid gzip file (${(error as Error).message}).`);
    return fileSystemIssue(error, file.path, `read ${file.path}`);
  }
}

/** How many images of each label the labels file holds. */
async function readLabels(file: IdxFile): Promise<Map<number, number> | DatasetIssue> {
  return readOrIssue(file, async () => {
    const bytes = await readWhole(file);
    if (bytes.length < IDX_LABELS_HEADER_BYTES) return badIdx(file, `too short for an IDX header (${plural(bytes.length, 'byte')}).`);
    const magic = bytes.readUInt32BE(0);
    if (magic !== IDX_LABELS_MAGIC) {
      return badIdx(file, `magic number ${formatMagic(magic)} found, ${formatMagic(IDX_LABELS_MAGIC)} expected for labels (unsigned bytes, 1 dimension).`);
    }
    const count = bytes.readUInt32BE(4);
    const present = bytes.length - IDX_LABELS_HEADER_BYTES;
    if (present < count)
      return badIdx(file, `the header announces ${plural(count, 'label')} but the file holds ${present.toLocaleString('en-US')} (truncated).`);
    const histogram = new Map<number, number>();
    for (let offset = IDX_LABELS_HEADER_BYTES; offset < IDX_LABELS_HEADER_BYTES + count; offset++) {
      const label = bytes[offset];
      histogram.set(label, (histogram.get(label) ?? 0) + 1);
    }
    return histogram;
  });
}

/** How many images the images file holds, checked against its size when it is not compressed. */
async function readImageCount(file: IdxFile): Promise<number | DatasetIssue> {
  return readOrIssue(file, async () => {
    const head = await readHead(file, IDX_IMAGES_HEADER_BYTES);
    if (head.length < IDX_IMAGES_HEADER_BYTES) return badIdx(file, `too short for an IDX header (${plural(head.length, 'byte')}).`);
    const magic = head.readUInt32BE(0);
    if (magic !== IDX_IMAGES_MAGIC) {
      return badIdx(file, `magic number ${formatMagic(magic)} found, ${formatMagic(IDX_IMAGES_MAGIC)} expected for images (unsigned bytes, 3 dimensions).`);
    }
    const [count, rows, columns] = [head.readUInt32BE(4), head.readUInt32BE(8), head.readUInt32BE(12)];
    // Inflating a whole .gz just to check its length would cost more than the rest of the scan.
    if (!file.gzipped) {
      const expected = IDX_IMAGES_HEADER_BYTES + count * rows * columns;
      const { size } = await fs.stat(file.path);
      if (size < expected) {
        return badIdx(
          file,
          `the header announces ${plural(count, 'image')} of ${rows}x${columns} (${expected.toLocaleString('en-US')} bytes) but the file has ${size.toLocaleString('en-US')} bytes (truncated).`,
        );
      }
    }
    return count;
  });
}

async function scanIdxPair(prefix: string, images: IdxFile | undefined, labels: IdxFile | undefined): Promise<DomainSummary> {
  const domainPath = (images ?? labels)!.path;
  const issues: DatasetIssue[] = [];
  if (!images) issues.push(badIdx(labels!, `no images file for "${prefix}" next to it (expected ${prefix}-images-idx3-ubyte).`));
  if (!labels) issues.push(badIdx(images!, `no labels file for "${prefix}" next to it (expected ${prefix}-labels-idx1-ubyte).`));
  const [imageCount, histogram] = await Promise.all([images && readImageCount(images), labels && readLabels(labels)]);
  if (imageCount !== undefined && typeof imageCount !== 'number') issues.push(imageCount);
  if (histogram !== undefined && !(histogram instanceof Map)) issues.push(histogram);
  if (typeof imageCount !== 'number' || !(histogram instanceof Map)) return { name: prefix, path: domainPath, count: 0, classes: [], issues };

  const labelCount = [...histogram.values()].reduce((sum, count) => sum + count, 0);
  if (imageCount !== labelCount) {
    issues.push(badIdx(images!, `${plural(imageCount, 'image')} but ${labels!.name} has ${plural(labelCount, 'label')}; they must pair one to one.`));
    return { name: prefix, path: domainPath, count: 0, classes: [], issues };
  }
  const classes: ClassSummary[] = [...histogram.entries()].map(([label, count]) => ({ name: String(label), count, samples: [], issues: [] }));
  return { name: prefix, path: domainPath, count: imageCount, classes, issues };
}

/**
 * Scans MNIST IDX files in the root: each `<prefix>-images` / `<prefix>-labels` pair is a domain
 * and the label values are its classes.
 */
export async function scanIdx(root: string, fileNames: readonly string[]): Promise<DomainSummary[]> {
  const pairs = pairIdxFiles(root, fileNames);
  return Promise.all([...pairs.entries()].map(([prefix, { images, labels }]) => scanIdxPair(prefix, images, labels)));
}

/**
 * Groups IDX files by prefix (the domain name). An uncompressed file wins over its `.gz` twin.
 * Shared with the sample listing, so the trainer reads exactly the files the scan counted.
 */
export function pairIdxFiles(root: string, fileNames: readonly string[]): Map<string, IdxPair> {
  const pairs = new Map<string, IdxPair>();
  for (const name of fileNames) {
    const parsed = parseIdxFileName(name);
    if (!parsed) continue;
    const pair = pairs.get(parsed.prefix) ?? {};
    const existing = pair[parsed.kind];
    if (!existing || (existing.gzipped && !parsed.gzipped)) pair[parsed.kind] = { name, path: path.join(root, name), gzipped: parsed.gzipped };
    pairs.set(parsed.prefix, pair);
  }
  return pairs;
}
