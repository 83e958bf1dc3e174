import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * What a machine offers a native TensorFlow backend: the CPU (the prebuilt libtensorflow 2.9.1
 * needs AVX), the NVIDIA driver (from nvidia-smi), and the CUDA and cuDNN libraries tfjs-node-gpu
 * 4.22 binds (CUDA 11.2's libcudart.so.11.0, cuDNN 8's libcudnn.so.8), as the dynamic linker would
 * find them. Users on CUDA 12 have libcudart.so.12 instead and tfjs falls to the CPU silently:
 * the report names that case.
 */
export interface SystemReport {
  platform: string;
  arch: string;
  node: { version: string; napi: string };
  cpu: { model: string; cores: number; avx?: boolean; avx2?: boolean; avx512f?: boolean };
  driver: { found: false; problem: string } | { found: true; version: string; cudaVersion?: string; gpus: string[] };
  libraries: LibraryFinding[];
}

export interface LibraryFinding {
  file: string;
  what: string;
  /** Where the linker would load it from; undefined when not found. */
  path?: string;
}

/** The libraries tfjs-node-gpu 4.22 (libtensorflow 2.9.1, CUDA 11.2 + cuDNN 8.1) loads, and the CUDA 12 ones that do not serve it. */
export const GPU_LIBRARIES: ReadonlyArray<{ file: string; what: string }> = [
  { file: 'libcuda.so.1', what: 'NVIDIA driver API' },
  { file: 'libcudart.so.11.0', what: 'CUDA 11 runtime (needed)' },
  { file: 'libcudnn.so.8', what: 'cuDNN 8 (needed)' },
  { file: 'libcudart.so.12', what: 'CUDA 12 runtime (does not serve tfjs-node-gpu)' },
  { file: 'libcudnn.so.9', what: 'cuDNN 9 (does not serve tfjs-node-gpu)' },
];

/** The x86 feature flags of /proc/cpuinfo's first processor; undefined where there are none (ARM, other systems). */
export function parseCpuFlags(cpuinfo: string): { avx: boolean; avx2: boolean; avx512f: boolean } | undefined {
  const line = cpuinfo.split('\n').find((entry) => /^flags\s*:/.test(entry));
  if (!line) return undefined;
  const flags = new Set(
    line
      .replace(/^flags\s*:/, '')
      .trim()
      .split(/\s+/),
  );
  return { avx: flags.has('avx'), avx2: flags.has('avx2'), avx512f: flags.has('avx512f') };
}

/**
 * `nvidia-smi --query-gpu=name,driver_version --format=csv,noheader` gives one GPU a line; plain
 * `nvidia-smi` prints the highest CUDA version the driver supports in its banner.
 */
export function parseNvidiaSmi(queryCsv: string, banner: string): { version: string; cudaVersion?: string; gpus: string[] } | undefined {
  const rows = queryCsv
    .split('\n')
    .map((row) => row.split(',').map((cell) => cell.trim()))
    .filter((cells) => cells.length >= 2 && cells[0] !== '');
  if (rows.length === 0) return undefined;
  const cudaVersion = /CUDA Version:\s*([\d.]+)/.exec(banner)?.[1];
  return { version: rows[0][1], ...(cudaVersion ? { cudaVersion } : {}), gpus: rows.map((cells) => cells[0]) };
}

/** `ldconfig -p` lines look like `\tlibcudnn.so.8 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.8`. */
export function parseLdconfig(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of text.matchAll(/^\s*(\S+) \([^)]*\) => (\S+)\s*$/gm)) if (!found.has(match[1])) found.set(match[1], match[2]);
  return found;
}

/** Each library as the linker finds it: LD_LIBRARY_PATH first (as ld.so searches), then the ldconfig cache. */
export function findLibraries(
  ldLibraryPath: string | undefined,
  ldconfig: Map<string, string>,
  exists: (file: string) => boolean = existsSync,
): LibraryFinding[] {
  const folders = (ldLibraryPath ?? '').split(':').filter(Boolean);
  return GPU_LIBRARIES.map(({ file, what }) => {
    const fromPath = folders.map((folder) => path.join(folder, file)).find(exists);
    const found = fromPath ?? ldconfig.get(file);
    return { file, what, ...(found ? { path: found } : {}) };
  });
}

function run(command: string, args: string[]): Promise<{ ok: true; stdout: string } | { ok: false; problem: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 15_000, encoding: 'utf8' }, (error, stdout) => {
      if (!error) resolve({ ok: true, stdout });
      else if ((error as NodeJS.ErrnoException).code === 'ENOENT') resolve({ ok: false, problem: `${command} is not on the PATH` });
      else resolve({ ok: false, problem: `${command} ${args.join(' ')} failed: ${error.message.split('\n')[0]}` });
    });
  });
}

/** Looks at this machine; never throws (what cannot be checked is reported as such). */
export async function detectSystem(): Promise<SystemReport> {
  const cpus = os.cpus();
  const flags = process.platform === 'linux' ? parseCpuFlags(readFileSync('/proc/cpuinfo', 'utf8')) : undefined;
  const [query, banner] = await Promise.all([run('nvidia-smi', ['--query-gpu=name,driver_version', '--format=csv,noheader']), run('nvidia-smi', [])]);
  const parsed = query.ok ? parseNvidiaSmi(query.stdout, banner.ok ? banner.stdout : '') : undefined;
  const driver: SystemReport['driver'] = parsed ? { found: true, ...parsed } : { found: false, problem: query.ok ? 'nvidia-smi lists no GPU' : query.problem };
  let libraries: LibraryFinding[] = [];
  if (process.platform === 'linux') {
    // ldconfig lives in /sbin, often not on a user's PATH.
    const ldconfig = await run(existsSync('/sbin/ldconfig') ? '/sbin/ldconfig' : 'ldconfig', ['-p']);
    libraries = findLibraries(process.env.LD_LIBRARY_PATH, parseLdconfig(ldconfig.ok ? ldconfig.stdout : ''));
  }
  return {
    platform: process.platform,
    arch: process.arch,
    node: { version: process.versions.node, napi: process.versions.napi ?? 'unknown' },
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length, ...flags },
    driver,
    libraries,
  };
}
