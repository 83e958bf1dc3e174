import { spawn, spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Debian packages fetched with `apt-get download` and unpacked with `dpkg-deb` into the cache:
 * nothing is installed, no dependency is pulled in (python3-sklearn alone, not SciPy), and no root
 * is needed except to refresh apt's package lists when they are missing.
 */

export interface DebianRequest {
  name: string;
  /** tar patterns (`./usr/share/...`) to unpack; the whole package when left out. */
  paths?: readonly string[];
}

export interface DebianPackage {
  name: string;
  version: string;
  /** The `License:` names in the package's copyright file. */
  licences: string[];
  /** Where the package's files were unpacked (its `/` ). */
  root: string;
}

export interface DebianFetch {
  packages: Map<string, DebianPackage>;
  /** Packages that could not be had, with apt's reason. */
  missing: { name: string; reason: string }[];
}

/** Bumped when what is unpacked changes, so stale cache entries are refetched. */
const CACHE_FORMAT = 1;

export function hasDebianTools(): boolean {
  if (process.platform !== 'linux') return false;
  return ['apt-get', 'dpkg-deb', 'tar'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0);
}

function run(command: string, args: readonly string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    const output: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output: output.join('') }));
  });
}

/** The package names apt says it cannot find, in any of its wordings. */
function unknownPackages(output: string): string[] {
  const patterns = [
    /Unable to locate package (\S+)/g,
    /Can't select candidate version from package (\S+)/g,
    /Package '?([^\s']+)'? has no installation candidate/g,
  ];
  return [...new Set(patterns.flatMap((pattern) => [...output.matchAll(pattern)].map((match) => match[1])))];
}

/** Downloads what it can; returns the names apt cannot provide, with the reason. */
async function download(names: string[], folder: string, log: (line: string) => void): Promise<{ name: string; reason: string }[]> {
  const missing: { name: string; reason: string }[] = [];
  const isRoot = process.getuid?.() === 0;
  // As root, apt hands downloads to its _apt user, which cannot write into a user's cache folder.
  const options = isRoot ? ['-o', 'APT::Sandbox::User=root'] : [];
  let updated = false;
  let wanted = [...names];
  while (wanted.length > 0) {
    const { code, output } = await run('apt-get', [...options, '-q', 'download', ...wanted], folder);
    if (code === 0) break;
    const unknown = unknownPackages(output).filter((name) => wanted.includes(name));
    if (unknown.length > 0 && isRoot && !updated) {
      log(`apt does not know ${unknown.join(', ')}; refreshing its package lists (apt-get update)`);
      updated = true;
      await run('apt-get', ['-qq', 'update'], folder);
      continue;
    }
    if (unknown.length === 0) {
      for (const name of wanted) missing.push({ name, reason: `apt-get download failed: ${output.trim().split('\n').slice(-3).join(' ')}` });
      break;
    }
    const why = isRoot ? "not in this machine's apt sources" : 'not in apt\'s package lists (run "sudo apt-get update" once, then try again)';
    for (const name of unknown) missing.push({ name, reason: why });
    wanted = wanted.filter((name) => !unknown.includes(name));
  }
  return missing;
}

async function licencesOf(root: string, name: string): Promise<string[]> {
  try {
    const text = await fs.readFile(path.join(root, 'usr/share/doc', name, 'copyright'), 'utf8');
    return [...new Set([...text.matchAll(/^License:\s*(.+)$/gm)].map((match) => match[1].trim()))].slice(0, 12);
  } catch {
    return ["see the package's copyright file"];
  }
}

async function unpack(deb: string, request: DebianRequest, root: string): Promise<void> {
  await fs.rm(root, { recursive: true, force: true });
  await fs.mkdir(root, { recursive: true });
  if (!request.paths) {
    const { code, output } = await run('dpkg-deb', ['-x', deb, root], root);
    if (code !== 0) throw new Error(`dpkg-deb -x ${deb} failed: ${output.trim()}`);
    return;
  }
  const patterns = [...request.paths, `./usr/share/doc/${request.name}/copyright`];
  const errors: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const unpacker = spawn('dpkg-deb', ['--fsys-tarfile', deb], { stdio: ['ignore', 'pipe', 'ignore'] });
    const tar = spawn('tar', ['-x', '--wildcards', '-C', root, '--', ...patterns], { stdio: ['pipe', 'ignore', 'pipe'] });
    tar.stderr.on('data', (chunk: Buffer) => errors.push(chunk.toString()));
    unpacker.stdout.pipe(tar.stdin);
    unpacker.on('error', reject);
    tar.on('error', reject);
    tar.on('close', (exitCode) => resolve(exitCode ?? 1));
  });
  if (code !== 0) throw new Error(`unpacking ${patterns.join(' ')} from ${deb} failed: ${errors.join('').trim() || `tar exit code ${code}`}`);
}

/**
 * Fetches and unpacks the packages into `<cacheFolder>/debian/<name>/`, reusing what an earlier
 * run left there. A package apt cannot provide is reported in `missing`, not thrown.
 */
export async function fetchDebianPackages(requests: readonly DebianRequest[], cacheFolder: string, log: (line: string) => void): Promise<DebianFetch> {
  const base = path.join(cacheFolder, 'debian');
  const downloads = path.join(base, 'downloads');
  await fs.mkdir(downloads, { recursive: true });
  const packages = new Map<string, DebianPackage>();
  const needed: DebianRequest[] = [];
  for (const request of requests) {
    const metaFile = path.join(base, request.name, 'meta.json');
    if (existsSync(metaFile)) {
      const meta = JSON.parse(await fs.readFile(metaFile, 'utf8')) as DebianPackage & { format: number; paths: string[] | null };
      const covered = meta.paths === null || (request.paths !== undefined && request.paths.every((wanted) => meta.paths!.includes(wanted)));
      if (meta.format === CACHE_FORMAT && covered) {
        packages.set(request.name, { name: meta.name, version: meta.version, licences: meta.licences, root: meta.root });
        continue;
      }
      // Unpack what was there too, so runs that want different files do not undo each other.
      if (meta.format === CACHE_FORMAT && meta.paths && request.paths) {
        needed.push({ ...request, paths: [...new Set([...meta.paths, ...request.paths])].sort() });
        continue;
      }
    }
    needed.push(request);
  }
  if (needed.length === 0) return { packages, missing: [] };

  log(`fetching ${needed.length} Debian package${needed.length === 1 ? '' : 's'} with apt-get download: ${needed.map((request) => request.name).join(' ')}`);
  const missing = await download(
    needed.map((request) => request.name),
    downloads,
    log,
  );
  const files = await fs.readdir(downloads);
  for (const request of needed) {
    if (missing.some((entry) => entry.name === request.name)) continue;
    const deb = files.find((file) => file.startsWith(`${request.name}_`) && file.endsWith('.deb'));
    if (!deb) {
      missing.push({ name: request.name, reason: 'apt-get download left no .deb file' });
      continue;
    }
    const debPath = path.join(downloads, deb);
    const root = path.join(base, request.name, 'root');
    try {
      await unpack(debPath, request, root);
    } catch (error) {
      missing.push({ name: request.name, reason: (error as Error).message });
      continue;
    }
    const version = (await run('dpkg-deb', ['-f', debPath, 'Version'], downloads)).output.trim();
    const found: DebianPackage = { name: request.name, version, licences: await licencesOf(root, request.name), root };
    await fs.writeFile(path.join(base, request.name, 'meta.json'), JSON.stringify({ ...found, format: CACHE_FORMAT, paths: request.paths ?? null }, null, 2));
    await fs.rm(debPath);
    packages.set(request.name, found);
  }
  return { packages, missing };
}
