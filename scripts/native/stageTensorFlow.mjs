// Lays out a TensorFlow C library the user already has the way tfjs-node's binding.gyp expects it:
// `deps/lib/libtensorflow.so` + `libtensorflow_framework.so` (linked with -ltensorflow
// -ltensorflow_framework, found at run time through the rpath $ORIGIN/../../deps/lib) and the C API
// headers under `deps/include`.
import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { extractMember, listZip } from './zipArchive.mjs';

// tfjs-node's sources include tensorflow/c/{c_api,eager/c_api}.h; those pull in tsl/ and xla/tsl/
// headers in TensorFlow 2.1x/2.2x wheels. The rest of the wheel's 12k headers are C++ only.
const WHEEL_HEADER_PREFIXES = ['tensorflow/c/', 'tsl/', 'xla/tsl/', 'tensorflow/core/platform/'];
const WHEEL_INCLUDE = 'tensorflow/include/';

/** Which shape of C library a path is, from its name. */
export function libraryKind(file) {
  if (file.endsWith('.whl')) return 'wheel';
  if (file.endsWith('.tar.gz') || file.endsWith('.tgz')) return 'tarball';
  return undefined;
}

/**
 * Fills `depsDir` (emptied first) from a TensorFlow Python wheel: `tensorflow/libtensorflow_cc.so.2`
 * carries the C and eager C APIs that tfjs-node calls, so it stands in for libtensorflow.so.
 */
export async function stageWheel(wheel, depsDir, log) {
  const members = await listZip(wheel);
  const libraries = members.filter((m) => /^tensorflow\/libtensorflow(_cc|_framework)\.(so\.2|2\.dylib)$/.test(m.name));
  const cc = libraries.find((m) => m.name.includes('_cc'));
  const framework = libraries.find((m) => m.name.includes('_framework'));
  if (!cc || !framework) {
    throw new Error(
      `${wheel} holds no tensorflow/libtensorflow_cc and libtensorflow_framework libraries; ` +
        'pass a TensorFlow (or tensorflow-cpu) wheel for Linux or macOS, version 2.9 or newer',
    );
  }
  const headers = members.filter(
    (m) => m.name.startsWith(WHEEL_INCLUDE) && !m.name.endsWith('/') && WHEEL_HEADER_PREFIXES.some((prefix) => m.name.startsWith(WHEEL_INCLUDE + prefix)),
  );
  if (!headers.some((m) => m.name === `${WHEEL_INCLUDE}tensorflow/c/c_api.h`)) {
    throw new Error(`${wheel} lacks the C API headers (tensorflow/include/tensorflow/c/c_api.h)`);
  }
  await rm(depsDir, { recursive: true, force: true });
  const libDir = path.join(depsDir, 'lib');
  log(`unpacking ${cc.name} (${Math.round(cc.size / 2 ** 20)} MiB), ${framework.name} and ${headers.length} headers`);
  for (const lib of [cc, framework]) await extractMember(wheel, lib, path.join(libDir, path.basename(lib.name)));
  for (const header of headers) {
    await extractMember(wheel, header, path.join(depsDir, 'include', header.name.slice(WHEEL_INCLUDE.length)));
  }
  await linkLinkerNames(libDir, path.basename(cc.name), path.basename(framework.name));
}

/** Fills `depsDir` (emptied first) from a libtensorflow tarball (`lib/` and `include/` inside). */
export async function stageTarball(tarball, depsDir, log) {
  await rm(depsDir, { recursive: true, force: true });
  await mkdir(depsDir, { recursive: true });
  log(`unpacking ${tarball}`);
  await promisify(execFile)('tar', ['-xzf', tarball, '-C', depsDir]);
  const libDir = path.join(depsDir, 'lib');
  const names = await readdir(libDir).catch(() => []);
  const main = pickLibrary(names, 'libtensorflow');
  const framework = pickLibrary(names, 'libtensorflow_framework');
  if (!main || !framework) {
    throw new Error(
      `${tarball} has no lib/libtensorflow and lib/libtensorflow_framework shared libraries ` + `(found: ${names.join(', ') || 'no lib/ folder'})`,
    );
  }
  await linkLinkerNames(libDir, main, framework);
}

/** The most specific (longest-versioned) real library of a family, e.g. libtensorflow.so.2.9.1. */
function pickLibrary(names, stem) {
  const pattern = new RegExp(`^${stem}(\\.so(\\.\\d+)*|(\\.\\d+)*\\.dylib)$`);
  return names.filter((name) => pattern.test(name)).sort((a, b) => b.length - a.length)[0];
}

/** The unversioned names the linker looks for with -ltensorflow / -ltensorflow_framework. */
async function linkLinkerNames(libDir, main, framework) {
  const mac = main.endsWith('.dylib');
  const links = mac
    ? { 'libtensorflow.2.dylib': main, 'libtensorflow_framework.2.dylib': framework }
    : { 'libtensorflow.so': main, 'libtensorflow_framework.so': framework };
  for (const [name, target] of Object.entries(links)) {
    if (name === target) continue;
    await rm(path.join(libDir, name), { force: true });
    await symlink(target, path.join(libDir, name));
  }
}
