import { spawn } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Packages the trainer needs at run time but cannot bundle (native code, or data files) are found
 * where Node would find them (a repository checkout's node_modules), else in the user's cache
 * folder, else installed there with npm: an installed extension ships bundles without
 * node_modules, and a user should not have to install anything by hand.
 */

export interface NpmPackageSpec {
  name: string;
  /** Installed when the package cannot be found; any version found already is used as it is. */
  version: string;
}

export interface FoundPackage {
  name: string;
  version: string;
  /** The package's folder (holding its package.json). */
  directory: string;
  licence: string;
}

function installFolder(cacheFolder: string): string {
  return path.join(cacheFolder, 'npm');
}

function describe(directory: string): FoundPackage {
  const manifest = JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
  return { name: manifest.name, version: manifest.version, directory, licence: manifest.license ?? 'unknown' };
}

/**
 * Looks along Node's own search path (from this file) and then in the cache, by folder rather than
 * by `require.resolve(name/package.json)`, which a package's `exports` map may forbid.
 */
function findInstalled(name: string, cacheFolder: string): FoundPackage | undefined {
  const searchPath = [...(require.resolve.paths(name) ?? []), path.join(installFolder(cacheFolder), 'node_modules')];
  for (const folder of searchPath) {
    const directory = path.join(folder, name);
    if (existsSync(path.join(directory, 'package.json'))) return describe(directory);
  }
  return undefined;
}

/** npm itself could not be run (not installed, not on the PATH): the caller words what to do instead. */
export class NpmUnavailableError extends Error {
  constructor(
    message: string,
    readonly installFolder: string,
  ) {
    super(message);
    this.name = 'NpmUnavailableError';
  }
}

function npmCommand(): string {
  return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

async function npmInstall(spec: NpmPackageSpec, cacheFolder: string): Promise<void> {
  const prefix = installFolder(cacheFolder);
  await fs.mkdir(prefix, { recursive: true });
  // Its own package.json keeps npm from walking up into whatever project the cache sits in.
  const manifest = path.join(prefix, 'package.json');
  if (!existsSync(manifest)) await fs.writeFile(manifest, JSON.stringify({ name: 'kd-uda-lab-cache', private: true }, null, 2));
  const args = ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', `${spec.name}@${spec.version}`];
  const output: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(npmCommand(), args, { cwd: prefix, shell: process.platform === 'win32', stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', (error) =>
      reject(
        new NpmUnavailableError(
          `Cannot run npm to install ${spec.name}@${spec.version} into ${prefix}: ${error.message}. Install Node.js with npm, or install the package there by hand.`,
          prefix,
        ),
      ),
    );
    child.on('close', (exitCode) => resolve(exitCode ?? 1));
  });
  if (code !== 0) {
    throw new Error(`npm could not install ${spec.name}@${spec.version} into ${prefix} (exit code ${code}): ${output.join('').trim().slice(-2000)}`);
  }
}

/**
 * Finds the package, installing it into `<cacheFolder>/npm` when it is nowhere to be found.
 * `onInstall` is told before a download starts, so a CLI can say why it is waiting.
 */
export async function ensureNpmPackage(spec: NpmPackageSpec, cacheFolder: string, onInstall?: (message: string) => void): Promise<FoundPackage> {
  const found = findInstalled(spec.name, cacheFolder);
  if (found) return found;
  onInstall?.(`installing ${spec.name}@${spec.version} from npm into ${installFolder(cacheFolder)}`);
  await npmInstall(spec, cacheFolder);
  const installed = findInstalled(spec.name, cacheFolder);
  if (!installed) throw new Error(`npm reported success, but ${spec.name} is not in ${installFolder(cacheFolder)}/node_modules.`);
  return installed;
}

/**
 * Loads a package found by `ensureNpmPackage`. The require goes through `createRequire`, which
 * a bundler leaves alone, so native packages are never pulled into a bundle where they break.
 */
export function requireFound<T>(found: FoundPackage): T {
  return createRequire(__filename)(found.directory) as T;
}
