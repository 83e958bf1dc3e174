/** What each domain builder of the Digits benchmark hands the generator. */

export type DigitsSplit = 'train' | 'test';

export interface DigitImage {
  label: number;
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

/** Where a domain's raw material came from, for its manifest. */
export interface DomainSource {
  kind: 'npm' | 'debian' | 'folder' | 'system-fonts' | 'python';
  name: string;
  version?: string;
  licences: string[];
  /** What was used from it (file names relative to the package, or counts). */
  used: string[];
  note?: string;
}

export interface DomainPlan {
  name: string;
  description: string;
  /** The published dataset this domain imitates, and how it differs: names must stay honest. */
  standsInFor: string;
  recipe: string;
  imageSize: number;
  channels: 1 | 3;
  counts: Record<DigitsSplit, number>;
  sources: DomainSource[];
  /** Image `index` of a split; pure in (split, index), so the order of writing changes nothing. */
  image(split: DigitsSplit, index: number): DigitImage;
}

/** A domain that cannot be built here says why, and the others are built anyway. */
export type DomainOutcome = { plan: DomainPlan } | { skipped: string };

export interface DigitsSizes {
  /** Training images per domain (UCI digits: at most what the data set has). */
  train: number;
  test: number;
}
