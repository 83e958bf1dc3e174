#!/usr/bin/env node
// Builds @tensorflow/tfjs-node (or -gpu with --gpu) from source against a TensorFlow C library the
// user already has, so the trainer gets native TensorFlow without the package's own download of
// libtensorflow (which needs Google storage). Does nothing when no library is given.
//
//   npm run setup:native -- --wheel /path/tensorflow_cpu-2.21.0-cp311-...whl
//   npm run setup:native -- --libtensorflow /path/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz
//   KDUDA_TF_WHEEL=/path/x.whl npm run setup:native          (or KDUDA_LIBTENSORFLOW=...)
//   options: --gpu (build tfjs-node-gpu; CUDA comes from the library you give), --out DIR
//            (default .native/, or KDUDA_NATIVE_DIR), --force (rebuild even if up to date)
//
// The result lives in DIR/node_modules/@tensorflow/tfjs-node[-gpu]; the trainer looks there
// (src/trainer/backends/nativePackage.ts). The project's own node_modules is never touched, so
// `npm ci` stays offline-safe and the native packages stay optional.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { libraryKind, stageTarball, stageWheel } from './native/stageTensorFlow.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (message) => console.log(`setup:native: ${message}`);

const { values } = parseArgs({
  options: {
    wheel: { type: 'string' },
    libtensorflow: { type: 'string' },
    gpu: { type: 'boolean', default: process.env.KDUDA_NATIVE_GPU === '1' },
    out: { type: 'string' },
    force: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(readHeader());
  process.exit(0);
}

const source = values.wheel ?? values.libtensorflow ?? process.env.KDUDA_TF_WHEEL ?? process.env.KDUDA_LIBTENSORFLOW;
if (!source) {
  log(
    'no TensorFlow C library given (--wheel PATH or --libtensorflow PATH, or KDUDA_TF_WHEEL / KDUDA_LIBTENSORFLOW): nothing to do. The trainer uses the wasm backend.',
  );
  process.exit(0);
}

try {
  await main(path.resolve(source));
} catch (error) {
  console.error(`setup:native: failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

async function main(library) {
  if (process.platform === 'win32') {
    throw new Error(
      'building tfjs-node from a local library is supported on Linux and macOS only; on Windows install @tensorflow/tfjs-node normally (it downloads its library)',
    );
  }
  const kind = libraryKind(library);
  if (!kind) throw new Error(`${library}: expected a TensorFlow wheel (.whl) or a libtensorflow tarball (.tar.gz)`);
  const libraryStat = await stat(library).catch(() => undefined);
  if (!libraryStat?.isFile()) throw new Error(`${library} does not exist`);

  const outDir = path.resolve(values.out ?? process.env.KDUDA_NATIVE_DIR ?? path.join(root, '.native'));
  const packageName = values.gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  // tfjs-node must match the project's tfjs-core: both register into one global engine.
  const version = await tfjsCoreVersion();
  const packageDir = path.join(outDir, 'node_modules', packageName);
  const started = Date.now();

  await installPackage(outDir, packageName, version, packageDir);

  const stampFile = path.join(packageDir, 'deps', 'kd-uda-source.json');
  const stamp = JSON.stringify({ library, size: libraryStat.size, mtimeMs: libraryStat.mtimeMs });
  const staged = (await readFile(stampFile, 'utf8').catch(() => '')) === stamp;
  if (!staged || values.force) {
    const depsDir = path.join(packageDir, 'deps');
    if (kind === 'wheel') await stageWheel(library, depsDir, log);
    else await stageTarball(library, depsDir, log);
    await writeFile(stampFile, stamp);
  } else {
    log(`TensorFlow library already staged from ${library}`);
  }

  const built = await findBinding(packageDir);
  if (!built || !staged || values.force) await buildBinding(packageDir);
  else log(`binding already built: ${path.relative(outDir, built)}`);

  const report = await smokeTest(packageDir);
  log(`ready in ${Math.round((Date.now() - started) / 1000)} s: ${packageName} ${version} on TensorFlow ${report.tensorflow} (${packageDir})`);
  log(
    `the trainer finds it there${values.out || process.env.KDUDA_NATIVE_DIR ? '; set KDUDA_NATIVE_DIR to this folder for the trainer' : ''}; choose it with "backend": "${values.gpu ? 'tensorflow-gpu' : 'tensorflow'}" or "auto"`,
  );
}

/** The installed tfjs-core's version, else the one package.json asks for (a checkout before npm ci). */
async function tfjsCoreVersion() {
  const installed = await readFile(path.join(root, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8').then(
    (text) => JSON.parse(text).version,
    () => undefined,
  );
  if (installed) return installed;
  const wanted = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')).dependencies?.['@tensorflow/tfjs-core'];
  const exact = /\d+\.\d+\.\d+/.exec(wanted ?? '')?.[0];
  if (!exact) throw new Error('cannot tell which tfjs-core version the project uses (run npm ci first)');
  return exact;
}

async function installPackage(outDir, packageName, version, packageDir) {
  await mkdir(outDir, { recursive: true });
  const manifestFile = path.join(outDir, 'package.json');
  if (!existsSync(manifestFile)) {
    await writeFile(
      manifestFile,
      JSON.stringify(
        {
          name: 'kd-uda-native',
          private: true,
          description: 'tfjs-node built against a local TensorFlow C library by `npm run setup:native` (not part of the project dependencies)',
        },
        null,
        2,
      ) + '\n',
    );
  }
  const installed = await readFile(path.join(packageDir, 'package.json'), 'utf8').then(
    (text) => JSON.parse(text).version,
    () => undefined,
  );
  if (installed === version) {
    log(`${packageName}@${version} already installed in ${outDir}`);
    return;
  }
  log(`installing ${packageName}@${version} into ${outDir} (its install script is skipped: it would download libtensorflow)`);
  await run(npmCommand(), ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--save-exact', `${packageName}@${version}`], { cwd: outDir });
}

async function buildBinding(packageDir) {
  log('compiling the N-API binding (node-pre-gyp --build-from-source)');
  const env = { ...process.env };
  const nodeGyp = findNodeGyp();
  if (nodeGyp) env.npm_config_node_gyp = nodeGyp;
  // Local Node headers avoid node-gyp's header download (offline machines).
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (!env.npm_config_nodedir && existsSync(path.join(prefix, 'include', 'node', 'common.gypi'))) env.npm_config_nodedir = prefix;
  const preGyp = path.join(packageDir, '..', '..', '@mapbox', 'node-pre-gyp', 'bin', 'node-pre-gyp');
  await run(process.execPath, [preGyp, 'install', '--build-from-source'], { cwd: packageDir, env });
}

/** The .node file node-pre-gyp built, if any. */
async function findBinding(packageDir) {
  const libDir = path.join(packageDir, 'lib');
  if (!existsSync(libDir)) return undefined;
  for (const entry of await readdir(libDir)) {
    const candidate = path.join(libDir, entry, 'tfjs_binding.node');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Loads the built package in a fresh process and runs one op: proof that it links and runs. */
async function smokeTest(packageDir) {
  const script = `
    const tf = require(${JSON.stringify(packageDir)});
    const y = tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).dataSync();
    if (y[0] !== 2) throw new Error('matMul gave ' + y[0]);
    const binding = tf.backend().binding;
    console.log(JSON.stringify({ backend: tf.getBackend(), tensorflow: binding.TF_Version }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
    maxBuffer: 1 << 24,
  }).catch((error) => {
    throw new Error(`the built package does not load: ${error.stderr || error.message}`);
  });
  const line = stdout.trim().split('\n').pop() ?? '{}';
  return JSON.parse(line);
}

function npmCommand() {
  // Under `npm run`, npm_execpath names the npm that is running; reuse it.
  return process.env.npm_execpath && process.env.npm_execpath.endsWith('.js') ? [process.execPath, process.env.npm_execpath] : ['npm'];
}

/** npm carries node-gyp inside itself; node-pre-gyp finds it through npm_config_node_gyp. */
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  if (process.env.npm_execpath) candidates.push(path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((candidate) => existsSync(candidate));
}

function run(command, args, options) {
  const [file, ...prefixArgs] = Array.isArray(command) ? command : [command];
  return new Promise((resolve, reject) => {
    const child = spawn(file, [...prefixArgs, ...args], { ...options, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${[file, ...prefixArgs, ...args].join(' ')} exited with ${code}`))));
  });
}

function readHeader() {
  return `Usage: npm run setup:native -- (--wheel PATH | --libtensorflow PATH) [--gpu] [--out DIR] [--force]
Builds @tensorflow/tfjs-node (or -gpu) from source against a TensorFlow C library you already have:
a TensorFlow / tensorflow-cpu Python wheel, or a libtensorflow tarball. Env: KDUDA_TF_WHEEL,
KDUDA_LIBTENSORFLOW, KDUDA_NATIVE_DIR, KDUDA_NATIVE_GPU=1. Without a library it does nothing.`;
}
