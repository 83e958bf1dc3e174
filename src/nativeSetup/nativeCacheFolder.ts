import path from 'node:path';
import { defaultCacheFolder } from '../util/userCacheFolder';

/**
 * Where the installed extension's palette command puts the native packages, `<cache folder>/native`
 * (its node_modules): in the user's cache rather than VS Code's globalStorage, so the trainer finds
 * them the same way when it runs from the command line.
 */
export function nativeCacheFolder(cacheFolder = defaultCacheFolder()): string {
  return path.join(cacheFolder, 'native');
}
