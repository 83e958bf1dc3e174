import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The Python the PyTorch references run on: Debian's, which python3-torch installs into. */
export const PYTHON = '/usr/bin/python3';

/**
 * Debian's python3-torch (with numpy), installed on first use: the benchmarks' own setup. Returns
 * why it cannot be had, or undefined once `import torch, numpy` works.
 */
export function ensureTorch(): string | undefined {
  const probe = () => spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;
  if (probe()) return undefined;
  if (!existsSync('/usr/bin/apt-get')) return `PyTorch missing and no apt-get here: install torch and numpy for ${PYTHON}`;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  console.log('installing Debian python3-torch for the PyTorch reference (apt-get, about a minute)...');
  const sudo = root ? [] : ['sudo', '-n'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]) => spawnSync(sudo[0] ?? args[0], sudo.length ? [...sudo.slice(1), ...args] : args.slice(1), { stdio: 'inherit', env });
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'python3-torch']);
  return probe() ? undefined : 'apt-get could not install python3-torch (run it as root: apt-get install python3-torch)';
}
