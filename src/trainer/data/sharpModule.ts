import type sharpFunction from 'sharp';
import { findProjectRoot, installContext } from '../installContext';
import { defaultCacheFolder } from '../../util/userCacheFolder';
import { ensureNpmPackage, NpmUnavailableError, requireFound } from './npmPackage';
import { sharpUnavailableMessage } from './sharpUnavailable';

export type Sharp = typeof sharpFunction;

const SHARP_PACKAGE = { name: 'sharp', version: '0.35.5' };

let loading: Promise<Sharp> | undefined;

/**
 * sharp (libvips), found or installed once per process. A platform .vsix carries it in
 * dist/node_modules, first on the trainer's search path; the universal one installs it with npm.
 */
export function loadSharp(cacheFolder = defaultCacheFolder(), onInstall?: (message: string) => void): Promise<Sharp> {
  loading ??= ensureNpmPackage(SHARP_PACKAGE, cacheFolder, onInstall).then((found) => {
    const sharp = requireFound<Sharp>(found);
    // libvips' operation cache holds recent results for re-use; every image here is read once
    // per epoch at most (and then comes from our own cache), so it would only hold memory.
    sharp.cache(false);
    return sharp;
  }, explainMissingNpm);
  return loading;
}

function explainMissingNpm(error: unknown): never {
  if (!(error instanceof NpmUnavailableError)) throw error;
  const projectRoot = findProjectRoot();
  throw new Error(
    sharpUnavailableMessage(installContext(projectRoot), { installFolder: error.installFolder, projectRoot, platform: `${process.platform}-${process.arch}` }),
  );
}
