import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nativeCacheFolder } from './nativeCacheFolder';
import { nativePackages, TFJS_VERSION, type NativeRung } from './nativePackages';

/**
 * Folders whose node_modules may hold a native package: KDUDA_NATIVE_DIR when set (where
 * `npm run setup:native -- --out DIR` built it), else .native/ in the project (its default), then
 * `native/` in the user's cache folder (where the installed extension's palette command puts it).
 * The trainer searches them in this order; the palette command reports what they hold.
 */
export function nativeSearchFolders(projectRoot: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.KDUDA_NATIVE_DIR) return [path.resolve(env.KDUDA_NATIVE_DIR)];
  return [...(projectRoot ? [path.join(projectRoot, '.native')] : []), nativeCacheFolder()];
}

/** A native build found where the trainer looks: its package folder, its version, and whether that version fits the trainer's tfjs. */
export interface InstalledNative {
  packageName: string;
  version: string;
  dir: string;
  /** Same major.minor as the bundled tfjs (they share one engine): the trainer can load it. */
  matches: boolean;
}

function readVersion(packageDir: string): string | undefined {
  try {
    const version = (JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return undefined;
  }
}

const majorMinor = (version: string) => version.split('.').slice(0, 2).join('.');

/**
 * The build of `rung` the trainer would find, first in its search folders, then in the project's
 * own node_modules (where ordinary resolution from dist/trainer.js finds a user's own install);
 * undefined when none is there.
 */
export function findInstalledNative(rung: NativeRung, projectRoot: string | undefined, env: NodeJS.ProcessEnv = process.env): InstalledNative | undefined {
  const packageName = nativePackages[rung];
  const folders = [...nativeSearchFolders(projectRoot, env), ...(projectRoot ? [projectRoot] : [])];
  for (const folder of folders) {
    const dir = path.join(folder, 'node_modules', packageName);
    const version = readVersion(dir);
    if (version !== undefined) return { packageName, version, dir, matches: majorMinor(version) === majorMinor(TFJS_VERSION) };
  }
  return undefined;
}
