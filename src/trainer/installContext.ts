import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the trainer runs from, which decides what a hint may tell the user to do: a repository
 * checkout has the project's scripts (`npm run setup:native`) and its node_modules; an extension
 * installed from a .vsix carries only its bundles, so its hints name the palette commands instead.
 */
export type InstallContext = 'checkout' | 'installed';

/** The extension's (or checkout's) root: the nearest folder up whose package.json is ours. */
export function findProjectRoot(start = __dirname): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'kd-uda-lab') return dir;
    } catch {
      // no package.json here, keep walking up
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * A checkout is recognised by scripts/setup-native.mjs beside the package.json that holds the
 * bundles (the .vsix leaves scripts/ out); `projectRoot` is that folder, undefined when none is found.
 */
export function installContext(projectRoot: string | undefined): InstallContext {
  return projectRoot && existsSync(path.join(projectRoot, 'scripts', 'setup-native.mjs')) ? 'checkout' : 'installed';
}
