import { promises as fs } from 'node:fs';
import { parseIdxFileName } from './idxFormat';
import { pairIdxFiles, type IdxFile } from './scanIdx';
import { scanDataset, type ScanOptions } from './scanDataset';
import type { DatasetSummary } from './datasetSummary';

/** Every readable image of a domain, by class name, in the order the scan met them. */
export interface ImageDomainListing {
  kind: 'images';
  name: string;
  classes: { name: string; paths: string[] }[];
}

/** An IDX domain is read whole by the trainer, so the listing names its two files. */
export interface IdxDomainListing {
  kind: 'idx';
  name: string;
  images: IdxFile;
  labels: IdxFile;
}

export type DomainListing = ImageDomainListing | IdxDomainListing;

export interface DatasetListing {
  /** The scan the listing comes from, issues included: whoever trains decides which are fatal. */
  summary: DatasetSummary;
  /** Domains that hold something to read, in the summary's order. */
  domains: DomainListing[];
}

async function idxFileNames(root: string): Promise<string[]> {
  const names = await fs.readdir(root);
  return names.filter((name) => parseIdxFileName(name) !== undefined);
}

/**
 * Lists every sample of a dataset with the same layout code as the Datasets view, so the trainer
 * and the view can never disagree on what a dataset holds: image layouts keep every path (not
 * only the few thumbnails a scan keeps), IDX domains keep their images and labels files.
 */
export async function listDatasetSamples(root: string, options: Pick<ScanOptions, 'signal'> = {}): Promise<DatasetListing> {
  const summary = await scanDataset(root, { samplesPerClass: Number.POSITIVE_INFINITY, signal: options.signal });
  if (summary.layout !== 'idx') {
    const domains = summary.domains.map((domain): DomainListing => ({
      kind: 'images',
      name: domain.name,
      classes: domain.classes.map((entry) => ({ name: entry.name, paths: entry.samples })),
    }));
    return { summary, domains };
  }
  const pairs = pairIdxFiles(summary.root, await idxFileNames(summary.root));
  const domains: DomainListing[] = [];
  for (const domain of summary.domains) {
    const pair = pairs.get(domain.name);
    if (domain.count > 0 && pair?.images && pair.labels) domains.push({ kind: 'idx', name: domain.name, images: pair.images, labels: pair.labels });
  }
  return { summary, domains };
}

/** The listing's summary keeping `perClass` sample paths per class, as a plain scan would (what a view shows). */
export function summaryWithSamples(listing: DatasetListing, perClass: number): DatasetSummary {
  return {
    ...listing.summary,
    domains: listing.summary.domains.map((domain) => ({
      ...domain,
      classes: domain.classes.map((entry) => ({ ...entry, samples: entry.samples.slice(0, perClass) })),
    })),
  };
}
