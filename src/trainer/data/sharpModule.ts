import type sharpFunction from 'sharp';
import { defaultCacheFolder, ensureNpmPackage, requireFound } from './npmPackage';

export type Sharp = typeof sharpFunction;

const SHARP_PACKAGE = { name: 'sharp', version: '0.35.5' };

let loading: Promise<Sharp> | undefined;

/** sharp (libvips), found or installed once per process. */
export function loadSharp(cacheFolder = defaultCacheFolder(), onInstall?: (message: string) => void): Promise<Sharp> {
  loading ??= ensureNpmPackage(SHARP_PACKAGE, cacheFolder, onInstall).then((found) => {
    const sharp = requireFound<Sharp>(found);
    // libvips' operation cache holds recent results for re-use; every image here is read once
    // per epoch at most (and then comes from our own cache), so it would only hold memory.
    sharp.cache(false);
    return sharp;
  });
  return loading;
}
