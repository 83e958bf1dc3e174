import { open } from 'node:fs/promises';
import { plural, quotedPreview } from './issueText';
import type { DatasetIssue, DatasetSummary } from './datasetSummary';
import type { DatasetListing } from './listSamples';

/** The longest signature below (WebP's RIFF....WEBP). */
const HEADER_BYTES = 12;

/** Whether `bytes` open a file decodeImage reads: the formats of IMAGE_EXTENSIONS, by signature. */
export function isDecodableHeader(bytes: Uint8Array): boolean {
  const starts = (...signature: number[]) => signature.every((byte, index) => bytes[index] === byte);
  const ascii = (text: string, at = 0) => [...text].every((char, index) => bytes[at + index] === char.charCodeAt(0));
  return (
    starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a) || // PNG
    starts(0xff, 0xd8, 0xff) || // JPEG
    ascii('BM') || // BMP
    ascii('GIF87a') ||
    ascii('GIF89a') ||
    (ascii('RIFF') && ascii('WEBP', 8)) ||
    starts(0x49, 0x49, 0x2a, 0x00) ||
    starts(0x4d, 0x4d, 0x00, 0x2a) // TIFF, little- and big-endian
  );
}

/** Files read at once: enough to hide the latency of a cold disk, few enough not to run out of descriptors. */
const CONCURRENT_READS = 32;

/**
 * The files among `paths` whose first bytes are no format the decoder reads (a text file named
 * .png, an HTML error page saved as .jpg), in the order given, each file once. Reads HEADER_BYTES
 * per file, so a dataset is checked in a fraction of its first epoch's decoding; a file that
 * cannot be opened counts as undecodable too. A truncated file with a good header is still found
 * only when decoded. Stops early (returning what it found) when `signal` aborts.
 */
export async function findUndecodableFiles(paths: Iterable<string>, signal?: AbortSignal): Promise<string[]> {
  const files = [...new Set(paths)];
  const bad = new Array<boolean>(files.length).fill(false);
  let next = 0;
  const worker = async () => {
    const header = new Uint8Array(HEADER_BYTES);
    for (let index = next++; index < files.length && !signal?.aborted; index = next++) {
      try {
        const handle = await open(files[index], 'r');
        try {
          header.fill(0);
          await handle.read(header, 0, HEADER_BYTES, 0);
        } finally {
          await handle.close();
        }
        bad[index] = !isDecodableHeader(header);
      } catch {
        bad[index] = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_READS, files.length) }, worker));
  return files.filter((_, index) => bad[index]);
}

/**
 * An `undecodable-image` issue for each image domain of the listing that holds files the scan
 * counted as images but whose first bytes say otherwise, by domain name: the Datasets view shows
 * them as soon as they are known rather than at the first epoch that reaches them.
 */
export async function undecodableImageIssues(listing: DatasetListing, signal?: AbortSignal): Promise<Map<string, DatasetIssue>> {
  const issues = new Map<string, DatasetIssue>();
  for (const domain of listing.domains) {
    if (domain.kind !== 'images') continue;
    const undecodable = await findUndecodableFiles(
      domain.classes.flatMap((entry) => entry.paths),
      signal,
    );
    if (undecodable.length === 0) continue;
    const one = undecodable.length === 1;
    issues.set(domain.name, {
      code: 'undecodable-image',
      message: `${plural(undecodable.length, 'file')} counted as ${one ? 'an image is' : 'images are'} not PNG, JPEG, BMP, GIF, WebP or TIFF by ${one ? 'its' : 'their'} first bytes; training will skip ${one ? 'it' : 'them'}: ${quotedPreview(undecodable, undecodable.length, 3)}.`,
      path: undecodable[0],
    });
  }
  return issues;
}

/** `summary` with each domain's issue from `issues` added. */
export function withDomainIssues(summary: DatasetSummary, issues: ReadonlyMap<string, DatasetIssue>): DatasetSummary {
  return {
    ...summary,
    domains: summary.domains.map((domain) => {
      const issue = issues.get(domain.name);
      return issue ? { ...domain, issues: [...domain.issues, issue] } : domain;
    }),
  };
}
