import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { formatMagic, IDX_IMAGES_HEADER_BYTES, IDX_IMAGES_MAGIC, IDX_LABELS_HEADER_BYTES, IDX_LABELS_MAGIC } from '../../datasetScan/idxFormat';
import type { IdxImages } from './samples';

const gunzipAsync = promisify(gunzip);

/** The IDX files named by a dataset listing (src/datasetScan/listSamples.ts). */
export interface IdxFileRef {
  path: string;
  gzipped: boolean;
}

async function readWhole(file: IdxFileRef): Promise<Uint8Array> {
  const bytes = await fs.readFile(file.path);
  try {
    return file.gzipped ? await gunzipAsync(bytes) : bytes;
  } catch (error) {
    throw new Error(`${file.path}: not a valid gzip file (${(error as Error).message}).`);
  }
}

function header(bytes: Uint8Array, file: string, magic: number, headerBytes: number, what: string): DataView {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < headerBytes) throw new Error(`${file}: too short for an IDX ${what} header (${bytes.length} bytes).`);
  const found = view.getUint32(0);
  if (found !== magic) throw new Error(`${file}: magic number ${formatMagic(found)}, expected ${formatMagic(magic)} for IDX ${what}.`);
  return view;
}

/** A whole IDX images file (unsigned bytes, count x rows x columns), checked against its header. */
export async function readIdxImages(file: IdxFileRef): Promise<IdxImages> {
  const bytes = await readWhole(file);
  const view = header(bytes, file.path, IDX_IMAGES_MAGIC, IDX_IMAGES_HEADER_BYTES, 'images');
  const [count, rows, columns] = [view.getUint32(4), view.getUint32(8), view.getUint32(12)];
  const needed = IDX_IMAGES_HEADER_BYTES + count * rows * columns;
  if (bytes.length < needed)
    throw new Error(`${file.path}: truncated: ${count} images of ${rows}x${columns} need ${needed} bytes, the file has ${bytes.length}.`);
  return { path: file.path, count, rows, columns, pixels: bytes.subarray(IDX_IMAGES_HEADER_BYTES, needed) };
}

/** A whole IDX labels file (unsigned bytes, one dimension). */
export async function readIdxLabels(file: IdxFileRef): Promise<Uint8Array> {
  const bytes = await readWhole(file);
  const view = header(bytes, file.path, IDX_LABELS_MAGIC, IDX_LABELS_HEADER_BYTES, 'labels');
  const count = view.getUint32(4);
  if (bytes.length < IDX_LABELS_HEADER_BYTES + count)
    throw new Error(`${file.path}: truncated: ${count} labels announced, ${bytes.length - IDX_LABELS_HEADER_BYTES} present.`);
  return bytes.subarray(IDX_LABELS_HEADER_BYTES, IDX_LABELS_HEADER_BYTES + count);
}
