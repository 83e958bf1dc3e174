import type { DomainPlan, DomainSource } from './digitsDomain';
import type { ClassCounts } from './domainWriter';

/** Bumped whenever the same seed and size would give different images. */
export const GENERATOR_VERSION = 1;
export const MANIFEST_VERSION = 1;

export interface DomainManifest {
  version: number;
  domain: string;
  description: string;
  standsInFor: string;
  recipe: string;
  generator: { name: string; version: number };
  seed: number;
  requestedSize: number;
  imageSize: number;
  channels: number;
  counts: { train: Record<string, number>; test: Record<string, number> };
  sources: DomainSource[];
}

export interface BenchmarkManifest {
  version: number;
  generator: { name: string; version: number };
  seed: number;
  requestedSize: number;
  layout: string;
  domains: { name: string; train: number; test: number }[];
  skipped: { name: string; reason: string }[];
}

export const GENERATOR_NAME = 'kd-uda-lab digits';

function byClass(counts: number[]): Record<string, number> {
  return Object.fromEntries(counts.map((count, label) => [String(label), count]));
}

export function domainManifest(plan: DomainPlan, counts: ClassCounts, seed: number, requestedSize: number): DomainManifest {
  return {
    version: MANIFEST_VERSION,
    domain: plan.name,
    description: plan.description,
    standsInFor: plan.standsInFor,
    recipe: plan.recipe,
    generator: { name: GENERATOR_NAME, version: GENERATOR_VERSION },
    seed,
    requestedSize,
    imageSize: plan.imageSize,
    channels: plan.channels,
    counts: { train: byClass(counts.train), test: byClass(counts.test) },
    sources: plan.sources,
  };
}
