#!/usr/bin/env node
// Packages the extension as .vsix files: one per platform, each carrying that platform's prebuilt
// sharp (and libvips) in dist/node_modules, where dist/trainer.js finds it without npm; and a
// universal one without sharp, whose trainer installs sharp with npm at first use (or, without
// npm, says which platform package to install instead).
//
//   npm run package                           the universal .vsix and the one for this machine
//   npm run package -- --target linux-x64     one platform (repeat --target for more; `universal` too)
//   npm run package:all                       every platform below plus the universal .vsix
//   options: --out DIR (default dist/vsix), --no-build (package dist/ as it is, e.g. a test build)
//
// The prebuilt packages come from the npm registry (`npm install --os --cpu --libc`), so any
// platform's .vsix can be built on any machine.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (message) => console.log(`package: ${message}`);

/** VS Code's platform targets, and what npm must be told to fetch sharp's prebuilt parts for each. */
const platforms = {
  'linux-x64': { os: 'linux', cpu: 'x64', libc: 'glibc' },
  'linux-arm64': { os: 'linux', cpu: 'arm64', libc: 'glibc' },
  'darwin-x64': { os: 'darwin', cpu: 'x64' },
  'darwin-arm64': { os: 'darwin', cpu: 'arm64' },
  'win32-x64': { os: 'win32', cpu: 'x64' },
};

const { values } = parseArgs({
  options: {
    target: { type: 'string', multiple: true },
    all: { type: 'boolean', default: false },
    out: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});

const hostTarget = `${process.platform}-${process.arch}`;
const targets = values.all ? [...Object.keys(platforms), 'universal'] : (values.target ?? ['universal', ...(platforms[hostTarget] ? [hostTarget] : [])]);
for (const target of targets) {
  if (target !== 'universal' && !platforms[target]) {
    console.error(`package: unknown --target ${target}; expected one of ${[...Object.keys(platforms), 'universal'].join(', ')}`);
    process.exit(2);
  }
}

const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const sharpVersion = readFileSync(path.join(root, 'src', 'trainer', 'data', 'sharpModule.ts'), 'utf8').match(/name: 'sharp', version: '([^']+)'/)?.[1];
if (!sharpVersion) throw new Error('cannot read the sharp version from src/trainer/data/sharpModule.ts (SHARP_PACKAGE)');
const outDir = path.resolve(values.out ?? path.join(root, 'dist', 'vsix'));
// The folder the trainer bundle resolves packages from first (require's search path from dist/).
const bundledModules = path.join(root, 'dist', 'node_modules');

function run(command, args, options = {}) {
  execFileSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...options });
}

/** sharp and its prebuilt native parts for one platform, from the registry, into dist/node_modules. */
function stageSharp(target) {
  const { os: npmOs, cpu, libc } = platforms[target];
  const staging = mkdtempSync(path.join(os.tmpdir(), `kduda-sharp-${target}-`));
  try {
    // Its own package.json keeps npm from walking up into this project.
    writeFileSync(path.join(staging, 'package.json'), JSON.stringify({ name: 'kduda-sharp-staging', private: true }));
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const platformFlags = [`--os=${npmOs}`, `--cpu=${cpu}`, ...(libc ? [`--libc=${libc}`] : [])];
    run(
      npm,
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
        '--ignore-scripts',
        '--omit=dev',
        '--loglevel=error',
        ...platformFlags,
        `sharp@${sharpVersion}`,
      ],
      {
        cwd: staging,
        shell: process.platform === 'win32',
      },
    );
    const native = path.join(staging, 'node_modules', '@img', `sharp-${target}`);
    if (!existsSync(native)) throw new Error(`npm did not fetch @img/sharp-${target} for ${target}: the .vsix would not decode images there`);
    rmSync(bundledModules, { recursive: true, force: true });
    cpSync(path.join(staging, 'node_modules'), bundledModules, {
      recursive: true,
      filter: (source) => !['.bin', '.package-lock.json'].includes(path.basename(source)),
    });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function vsixName(target) {
  return `${manifest.name}-${target}-${manifest.version}.vsix`;
}

if (!values['no-build']) run(process.execPath, [path.join(root, 'esbuild.mjs'), '--production']);
mkdirSync(outDir, { recursive: true });
const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const sizes = [];
try {
  for (const target of targets) {
    if (target === 'universal') rmSync(bundledModules, { recursive: true, force: true });
    else stageSharp(target);
    const file = path.join(outDir, vsixName(target));
    log(`${target}: packaging ${path.relative(root, file)}`);
    run(process.execPath, [
      vsce,
      'package',
      ...(target === 'universal' ? [] : ['--target', target]),
      '--no-dependencies',
      '--no-rewrite-relative-links',
      '--out',
      file,
    ]);
    sizes.push([target, file, statSync(file).size]);
  }
} finally {
  // A checkout's trainer would otherwise load another platform's sharp from dist/node_modules.
  rmSync(bundledModules, { recursive: true, force: true });
}
for (const [target, file, bytes] of sizes) log(`${target.padEnd(12)} ${(bytes / 1024 / 1024).toFixed(1).padStart(5)} MB  ${path.relative(root, file)}`);
