import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describeSystem, nativeVerdict } from '../../src/nativeSetup/describeSystem';
import { detectSystem, findLibraries, parseCpuFlags, parseLdconfig, parseNvidiaSmi, type SystemReport } from '../../src/nativeSetup/detectSystem';
import { fetchNativeBackend, googleStorageUrls, NativeFetchError } from '../../src/nativeSetup/fetchNativeBackend';
import { findInstalledNative } from '../../src/nativeSetup/installedNative';
import { TFJS_VERSION } from '../../src/nativeSetup/nativePackages';

// Captured from real machines: nvidia-smi 550 on an H100 (CUDA 12.4 driver), Debian's ldconfig.
const NVIDIA_QUERY = 'NVIDIA H100 80GB HBM3, 550.54.15\n';
const NVIDIA_BANNER =
  '+-----------------------------------------------------------------------------------------+\n| NVIDIA-SMI 550.54.15              Driver Version: 550.54.15      CUDA Version: 12.4     |\n';
const LDCONFIG = [
  "1450 libs found in cache `/etc/ld.so.cache'",
  '\tlibcudnn.so.9 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudnn.so.9',
  '\tlibcudart.so.12 (libc6,x86-64) => /usr/local/cuda-12.4/lib64/libcudart.so.12',
  '\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1',
].join('\n');

function report(overrides: Partial<SystemReport>): SystemReport {
  return {
    platform: 'linux',
    arch: 'x64',
    node: { version: '20.19.0', napi: '9' },
    cpu: { model: 'Test CPU', cores: 4, avx: true, avx2: true, avx512f: false },
    driver: { found: false, problem: 'nvidia-smi is not on the PATH' },
    libraries: [],
    ...overrides,
  };
}

describe('native TensorFlow: what the machine offers', () => {
  it('reads the GPU, driver and CUDA version from nvidia-smi, and nothing from an empty listing', () => {
    assert.deepEqual(parseNvidiaSmi(NVIDIA_QUERY, NVIDIA_BANNER), { version: '550.54.15', cudaVersion: '12.4', gpus: ['NVIDIA H100 80GB HBM3'] });
    assert.equal(parseNvidiaSmi('\n', ''), undefined);
  });

  it('reads AVX flags from /proc/cpuinfo, and none where the CPU lists no flags (ARM)', () => {
    assert.deepEqual(parseCpuFlags('processor\t: 0\nflags\t\t: fpu sse avx avx2 fma\n'), { avx: true, avx2: true, avx512f: false });
    assert.equal(parseCpuFlags('processor\t: 0\nFeatures\t: fp asimd\n'), undefined);
  });

  it('finds libraries on LD_LIBRARY_PATH before the ldconfig cache, as the linker does', () => {
    const cache = parseLdconfig(LDCONFIG);
    const found = findLibraries('/opt/cuda11/lib', cache, (file) => file === '/opt/cuda11/lib/libcudart.so.11.0');
    const where = Object.fromEntries(found.map((library) => [library.file, library.path]));
    assert.equal(where['libcudart.so.11.0'], '/opt/cuda11/lib/libcudart.so.11.0');
    assert.equal(where['libcuda.so.1'], '/usr/lib/x86_64-linux-gnu/libcuda.so.1');
    assert.equal(where['libcudnn.so.8'], undefined);
  });

  it('says why the GPU build cannot work: no driver; CUDA 12 only; and that it can with CUDA 11 + cuDNN 8', () => {
    assert.match(nativeVerdict(report({})).gpu.why, /no NVIDIA driver \(nvidia-smi is not on the PATH\)/);
    const driver = { found: true as const, version: '550.54.15', cudaVersion: '12.4', gpus: ['H100'] };
    const cuda12 = report({ driver, libraries: findLibraries(undefined, parseLdconfig(LDCONFIG), () => false) });
    const verdict = nativeVerdict(cuda12);
    assert.equal(verdict.gpu.usable, false);
    assert.match(verdict.gpu.why, /libcudart\.so\.11\.0 and libcudnn\.so\.8 are not found; CUDA 12 \/ cuDNN 9 are present/);
    const cuda11 = report({ driver, libraries: findLibraries('/c', new Map(), (file) => /libcudart\.so\.11\.0|libcudnn\.so\.8/.test(file)) });
    assert.equal(nativeVerdict(cuda11).gpu.usable, true);
    assert.equal(nativeVerdict(report({ cpu: { model: 'old', cores: 2, avx: false } })).cpu.usable, false);
    assert.match(nativeVerdict(report({ platform: 'darwin', arch: 'arm64' })).gpu.why, /no build for darwin-arm64/);
  });

  it('reports this machine in lines a user can read', async () => {
    const lines = describeSystem(await detectSystem());
    assert.match(lines[0], new RegExp(`^System: ${process.platform}-${process.arch}, Node\\.js ${process.versions.node}`));
    assert.match(lines[1], /^CPU: .+, \d+ logical cores; /);
    assert.match(lines[2], /^NVIDIA driver/);
  });
});

describe('native TensorFlow: fetching it', () => {
  it('asks for the tfjs version the trainer bundles', () => {
    assert.equal(TFJS_VERSION, tf.version_core);
  });

  it('names the Google storage addresses tfjs-node downloads from', () => {
    assert.deepEqual(googleStorageUrls('tensorflow-gpu', '4.22.0', '8', 'linux', 'x64'), [
      'https://storage.googleapis.com/tensorflow/libtensorflow/libtensorflow-gpu-linux-x86_64-2.9.1.tar.gz',
      'https://storage.googleapis.com/tf-builds/pre-built-binary/napi-v8/4.22.0/GPU-linux-4.22.0.tar.gz',
    ]);
  });

  it('without npm, says it needs Node.js and that wasm trains meanwhile', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'kduda-native-'));
    const savedPath = process.env.PATH;
    process.env.PATH = folder;
    try {
      await assert.rejects(
        fetchNativeBackend({ rung: 'tensorflow', version: TFJS_VERSION, folder }),
        (error: Error) =>
          error instanceof NativeFetchError &&
          /cannot run npm .*fetching @tensorflow\/tfjs-node@4\.22\.0 needs npm.*Install Node\.js.*wasm backend trains/.test(error.message),
      );
    } finally {
      process.env.PATH = savedPath;
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('native TensorFlow: what is installed already', () => {
  it('finds each build where the trainer looks, with its version, and tells a version the trainer cannot load', () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'kd-uda-native-present-'));
    try {
      const cpu = path.join(folder, 'node_modules', '@tensorflow', 'tfjs-node');
      mkdirSync(cpu, { recursive: true });
      writeFileSync(path.join(cpu, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version: TFJS_VERSION }));
      const env = { KDUDA_NATIVE_DIR: folder };
      assert.deepEqual(findInstalledNative('tensorflow', undefined, env), {
        packageName: '@tensorflow/tfjs-node',
        version: TFJS_VERSION,
        dir: cpu,
        matches: true,
      });
      assert.equal(findInstalledNative('tensorflow-gpu', undefined, env), undefined);
      writeFileSync(path.join(cpu, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version: '4.10.0' }));
      assert.equal(findInstalledNative('tensorflow', undefined, env)?.matches, false);
      // A project's own node_modules (ordinary resolution from dist/trainer.js) counts after the search folders.
      const empty = path.join(folder, 'empty');
      mkdirSync(empty);
      assert.equal(findInstalledNative('tensorflow', folder, { KDUDA_NATIVE_DIR: empty })?.dir, cpu);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
