/**
 * The system packages the browser tests need, provided by the harness itself so that `npm test`
 * is all a fresh Debian or Ubuntu machine needs: installed with apt-get when the harness runs as
 * root, ripgrep (a single binary) fetched and unpacked into the cache without root, and otherwise
 * one exact command to run, naming every missing package at once.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './paths';

export type SystemTool = 'chromium' | 'ripgrep' | 'kerberos-headers' | 'python3' | 'make' | 'g++';

function onPath(command: string): boolean {
  return spawnSync('/bin/sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

const TOOLS: Record<SystemTool, { debianPackage: string; present: () => boolean }> = {
  chromium: { debianPackage: 'chromium', present: () => CHROMIUM_CANDIDATES.some((candidate) => existsSync(candidate)) },
  ripgrep: { debianPackage: 'ripgrep', present: () => onPath('rg') },
  // code-server's `kerberos` native module builds against these.
  'kerberos-headers': { debianPackage: 'libkrb5-dev', present: () => onPath('krb5-config') || existsSync('/usr/include/gssapi/gssapi.h') },
  python3: { debianPackage: 'python3', present: () => onPath('python3') },
  make: { debianPackage: 'make', present: () => onPath('make') },
  'g++': { debianPackage: 'g++', present: () => onPath('g++') },
};

/** Where ripgrep is unpacked when the harness cannot install it. */
const UNPACKED_DIR = path.join(REPO_ROOT, '.cache', 'system-tools');

export class SystemToolsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SystemToolsError';
  }
}

function run(command: string, args: string[]): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

function aptInstall(packages: string[], log: (line: string) => void): string | undefined {
  log(`installing ${packages.join(' ')} with apt-get (the harness runs as root; first run only)`);
  const update = run('apt-get', ['update', '-qq']);
  if (!update.ok) return `apt-get update failed: ${update.output.split('\n').slice(-3).join(' ')}`;
  const install = run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages]);
  return install.ok ? undefined : `apt-get install failed: ${install.output.split('\n').slice(-3).join(' ')}`;
}

/** Debian's rg into the cache, on PATH for this process and the ones it starts. */
function unpackRipgrep(log: (line: string) => void): string | undefined {
  const bin = path.join(UNPACKED_DIR, 'ripgrep', 'usr', 'bin');
  if (!existsSync(path.join(bin, 'rg'))) {
    if (!['apt-get', 'dpkg-deb'].every(onPath)) return 'apt-get and dpkg-deb are not available to fetch it';
    const downloads = path.join(UNPACKED_DIR, 'downloads');
    spawnSync('mkdir', ['-p', downloads]);
    log('fetching ripgrep with apt-get download into the cache (no root needed)');
    const download = spawnSync('apt-get', ['download', 'ripgrep'], { cwd: downloads, encoding: 'utf8' });
    if (download.status !== 0) return `apt-get download ripgrep failed: ${`${download.stderr}`.trim().split('\n').slice(-2).join(' ')}`;
    const deb = spawnSync('/bin/sh', ['-c', 'ls ripgrep_*.deb | head -n1'], { cwd: downloads, encoding: 'utf8' }).stdout.trim();
    const unpack = run('dpkg-deb', ['-x', path.join(downloads, deb), path.join(UNPACKED_DIR, 'ripgrep')]);
    if (!unpack.ok) return `dpkg-deb -x failed: ${unpack.output}`;
  }
  process.env.PATH = `${bin}${path.delimiter}${process.env.PATH ?? ''}`;
  return undefined;
}

/**
 * Makes sure `tools` are present, providing the missing ones; throws a SystemToolsError with the
 * one command to run where it cannot.
 */
export function provideSystemTools(tools: readonly SystemTool[], log: (line: string) => void): void {
  let missing = tools.filter((tool) => !TOOLS[tool].present());
  if (missing.length === 0) return;
  const reasons: string[] = [];
  if (process.getuid?.() === 0 && onPath('apt-get')) {
    const failure = aptInstall(
      missing.map((tool) => TOOLS[tool].debianPackage),
      log,
    );
    if (failure) reasons.push(failure);
  } else if (missing.includes('ripgrep')) {
    const failure = unpackRipgrep(log);
    if (failure) reasons.push(`ripgrep could not be unpacked: ${failure}`);
  }
  missing = missing.filter((tool) => !TOOLS[tool].present());
  if (missing.length === 0) return;
  const packages = missing.map((tool) => TOOLS[tool].debianPackage).join(' ');
  throw new SystemToolsError(
    `the browser tests need ${missing.join(', ')}, which this machine lacks${reasons.length ? ` (${reasons.join('; ')})` : ''}. Run:\n  sudo apt-get install -y --no-install-recommends ${packages}`,
  );
}
