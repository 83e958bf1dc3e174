import { augmentedBaseSize, drawTransform, isAugmenting, NO_TRANSFORM, type AugmentOptions, type SampleTransform } from './augment';
import { ConcurrencyLimit } from './concurrencyLimit';
import { DataError } from './dataError';
import type { LoadedDataset } from './dataset';
import { decodeImage } from './decodeImage';
import { DecodedCache } from './decodedCache';
import { DomainSampler } from './domainSampler';
import { normalization, type Normalization, type NormalizationSpec } from './normalization';
import { PrefetchLoader } from './prefetchLoader';
import { renderSample } from './renderSample';
import { deriveSeed, SeededRandom } from './seededRandom';
import { loadSharp, type Sharp } from './sharpModule';
import type { Batch, DataProblemSink, DomainSplits, Sample } from './samples';

export interface LoaderOptions {
  /** The model's input side, in pixels. */
  imageSize: number;
  channels: 1 | 3;
  /** How images of another shape reach the square input; default cover (keep the centre). */
  fit?: 'stretch' | 'cover';
  /** Default symmetric ([-1, 1]). */
  normalize?: NormalizationSpec;
  /** Training streams only; evaluation is never augmented. Default: none. */
  augment?: AugmentOptions;
  /** Decoded images kept in memory; default 2 GiB. 0 turns the cache off. */
  cacheBytes?: number;
  /** Batches assembled ahead per stream; default 4. */
  prefetchBatches?: number;
  /** Images decoded at once over all streams; default 4 (libuv's thread pool). */
  decodeConcurrency?: number;
  seed: number;
  /** Told once per image that cannot be decoded (it is skipped from then on). */
  onProblem?: DataProblemSink;
  /** Where sharp is installed when it cannot be found (see npmPackage.ts). */
  cacheFolder?: string;
}

export interface LoaderStats {
  decoded: number;
  cacheHits: number;
  /** Distinct images that could not be decoded. */
  skipped: number;
  cachedImages: number;
  cachedBytes: number;
}

/** An endless, reshuffling stream of training batches from one domain. */
export interface TrainStream {
  next(): Promise<Batch>;
  /** Passes completed over the domain's training images by the batches handed out so far. */
  readonly passes: number;
}

/** One batch per domain per step: the source's, then each target's in order. */
export interface TrainingStep {
  source: Batch;
  targets: Batch[];
}

/** Consecutive failed replacements after which a domain is declared undecodable. */
const MAX_REPLACEMENTS = 200;
const DEFAULT_CACHE_BYTES = 2 * 1024 ** 3;

/**
 * Turns a loaded dataset into batches: decoding with sharp ahead of the training loop, a cache
 * of decoded images within a memory budget, seeded shuffling and augmentation, and corrupt images
 * skipped (reported once, never retried) without the batch coming up short.
 */
export class DataLoader {
  private readonly cache: DecodedCache;
  private readonly limit: ConcurrencyLimit;
  private readonly norm: Normalization;
  private readonly broken = new Map<string, string>();
  /** Decodes under way, so two prefetched batches wanting one image decode it once. */
  private readonly pending = new Map<string, Promise<Uint8Array | undefined>>();
  private readonly counters = { decoded: 0, cacheHits: 0 };

  private constructor(
    private readonly sharp: Sharp,
    private readonly options: LoaderOptions,
  ) {
    this.cache = new DecodedCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
    this.limit = new ConcurrencyLimit(options.decodeConcurrency ?? 4);
    this.norm = normalization(options.normalize ?? 'symmetric', options.channels);
  }

  static async create(options: LoaderOptions): Promise<DataLoader> {
    if (!Number.isInteger(options.imageSize) || options.imageSize < 1) throw new Error(`imageSize must be a positive integer, got ${options.imageSize}.`);
    return new DataLoader(await loadSharp(options.cacheFolder), options);
  }

  stats(): LoaderStats {
    return { ...this.counters, skipped: this.broken.size, cachedImages: this.cache.size, cachedBytes: this.cache.bytes };
  }

  /** The decoded image, or undefined (reported once) when it cannot be decoded. */
  private pixels(sample: Sample, baseSize: number, domain: string): Promise<Uint8Array | undefined> {
    const cacheKey = `${baseSize}:${sample.key}`;
    const cached = this.cache.get(cacheKey);
    if (cached) {
      this.counters.cacheHits++;
      return Promise.resolve(cached);
    }
    if (this.broken.has(sample.key)) return Promise.resolve(undefined);
    let decoding = this.pending.get(cacheKey);
    if (!decoding) {
      decoding = this.decode(sample, baseSize, domain, cacheKey).finally(() => this.pending.delete(cacheKey));
      this.pending.set(cacheKey, decoding);
    }
    return decoding;
  }

  private async decode(sample: Sample, baseSize: number, domain: string, cacheKey: string): Promise<Uint8Array | undefined> {
    const target = { size: baseSize, channels: this.options.channels, fit: this.options.fit ?? 'cover' } as const;
    try {
      const pixels = await this.limit.run(() => decodeImage(this.sharp, sample.source, target));
      this.counters.decoded++;
      this.cache.put(cacheKey, pixels);
      return pixels;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.broken.set(sample.key, reason);
      this.options.onProblem?.({ code: 'corrupt-image', message: `Skipped ${sample.key}: ${reason}`, domain, path: sample.key });
      return undefined;
    }
  }

  private newBatch(n: number): Batch {
    const { imageSize: size, channels } = this.options;
    return { images: new Float32Array(n * size * size * channels), labels: new Int32Array(n), shape: [n, size, size, channels] };
  }

  private render(pixels: Uint8Array, baseSize: number, transform: SampleTransform, batch: Batch, position: number): void {
    const { imageSize: size, channels } = this.options;
    renderSample({ pixels, size: baseSize, channels }, transform, size, this.norm, batch.images, position * size * size * channels);
  }

  /**
   * Training batches from a domain's training images, for ever. `role` keeps two streams over
   * the same domain (say, a teacher's and a student's) from sharing an order. A stream that
   * starts at batch k (a resumed run) is batch for batch the one that started at 0, without
   * decoding the k batches it skips.
   */
  trainStream(domain: DomainSplits, batchSize: number, role = 'train', startBatch = 0): TrainStream {
    const samples = domain.train;
    if (samples.length === 0) throw new DataError([`Domain "${domain.name}" has no training images.`]);
    const seed = deriveSeed(this.options.seed, role, domain.name);
    const sampler = new DomainSampler(samples.length, seed);
    const augment = this.options.augment;
    const baseSize = augmentedBaseSize(this.options.imageSize, augment);
    const fill = async (batchIndex: number, position: number, first: number, transform: SampleTransform, batch: Batch): Promise<void> => {
      let index = first;
      for (let attempt = 1; ; attempt++) {
        const pixels = await this.pixels(samples[index], baseSize, domain.name);
        if (pixels) {
          this.render(pixels, baseSize, transform, batch, position);
          batch.labels[position] = samples[index].label;
          return;
        }
        if (attempt > MAX_REPLACEMENTS) {
          throw new DataError([
            `Domain "${domain.name}": ${MAX_REPLACEMENTS} images in a row could not be decoded (${this.broken.size} bad images so far, of ${samples.length}); last: ${samples[index].key}: ${this.broken.get(samples[index].key)}`,
          ]);
        }
        // The stand-in depends only on where the hole is, never on which decode finished first.
        index = deriveSeed(seed, 'replace', batchIndex, position, attempt) % samples.length;
      }
    };
    const assemble = async (batchIndex: number): Promise<Batch> => {
      const indices = sampler.take(batchSize);
      const random = new SeededRandom(deriveSeed(seed, 'augment', batchIndex));
      const transforms = indices.map(() => (isAugmenting(augment) ? drawTransform(random, baseSize, augment) : NO_TRANSFORM));
      const batch = this.newBatch(batchSize);
      await Promise.all(indices.map((index, position) => fill(batchIndex, position, index, transforms[position], batch)));
      return batch;
    };
    // Prefetching draws ahead, so a pass counts once the batch that finished it is handed out.
    const passesAfter: number[] = [];
    // Skipped batches draw from the sampler only: augmentation and stand-ins for broken images
    // are seeded by batch index, so nothing else needs replaying.
    for (let batchIndex = 0; batchIndex < startBatch; batchIndex++) {
      sampler.take(batchSize);
      passesAfter[batchIndex] = sampler.passes;
    }
    let delivered = startBatch;
    const drawAndAssemble = (batchIndex: number): Promise<Batch> => {
      const batch = assemble(batchIndex);
      passesAfter[batchIndex] = sampler.passes;
      return batch;
    };
    const prefetch = new PrefetchLoader(drawAndAssemble, this.options.prefetchBatches ?? 4, Number.POSITIVE_INFINITY, startBatch);
    return {
      next: async () => {
        const batch = (await prefetch.next())!;
        delivered++;
        return batch;
      },
      get passes() {
        return delivered === 0 ? 0 : passesAfter[delivered - 1];
      },
    };
  }

  /**
   * Source and target batches together, each domain from its own stream: a target smaller than
   * the source reshuffles and goes on when it runs out, independently of the others.
   */
  trainingSteps(
    dataset: Pick<LoadedDataset, 'source' | 'targets'>,
    batchSize: number,
    startStep = 0,
  ): { next(): Promise<TrainingStep>; readonly sourcePasses: number } {
    const source = this.trainStream(dataset.source, batchSize, 'train', startStep);
    const targets = dataset.targets.map((target) => this.trainStream(target, batchSize, 'train', startStep));
    return {
      next: async () => {
        const [sourceBatch, ...targetBatches] = await Promise.all([source.next(), ...targets.map((stream) => stream.next())]);
        return { source: sourceBatch, targets: targetBatches };
      },
      get sourcePasses() {
        return source.passes;
      },
    };
  }

  /**
   * Every sample once, in order, unaugmented, with sample keys in `paths`. An image that cannot be
   * decoded is left out (and reported), so a batch may be shorter than `batchSize`.
   */
  async *evalBatches(samples: readonly Sample[], batchSize: number, domain: string): AsyncGenerator<Batch> {
    const size = this.options.imageSize;
    const assemble = async (batchIndex: number): Promise<Batch> => {
      const chunk = samples.slice(batchIndex * batchSize, (batchIndex + 1) * batchSize);
      const decoded = await Promise.all(chunk.map((sample) => this.pixels(sample, size, domain)));
      const kept = chunk.flatMap((sample, index) => (decoded[index] ? [{ sample, pixels: decoded[index] }] : []));
      const batch = this.newBatch(kept.length);
      batch.paths = kept.map(({ sample }) => sample.key);
      kept.forEach(({ sample, pixels }, position) => {
        this.render(pixels, size, NO_TRANSFORM, batch, position);
        batch.labels[position] = sample.label;
      });
      return batch;
    };
    const prefetch = new PrefetchLoader(assemble, this.options.prefetchBatches ?? 4, Math.ceil(samples.length / batchSize));
    for (let batch = await prefetch.next(); batch; batch = await prefetch.next()) {
      if (batch.labels.length > 0) yield batch;
    }
  }
}
