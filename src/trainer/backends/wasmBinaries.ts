import { existsSync } from 'node:fs';
import path from 'node:path';

/** The three builds tfjs-backend-wasm ships; threads only come with SIMD. */
export type WasmFlavour = 'plain' | 'simd' | 'threaded-simd';

export const wasmFileNames: Record<WasmFlavour, string> = {
  plain: 'tfjs-backend-wasm.wasm',
  simd: 'tfjs-backend-wasm-simd.wasm',
  'threaded-simd': 'tfjs-backend-wasm-threaded-simd.wasm',
};

/**
 * Folders that may hold the .wasm files, in order: next to the running bundle (dist/trainer.js;
 * esbuild.mjs copies them there, and the .vsix carries dist/*.wasm), then the package itself in
 * node_modules (tests, benchmarks and running from a checkout).
 */
export function wasmSearchFolders(): string[] {
  const folders = [__dirname];
  try {
    const packageDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    folders.push(path.join(packageDir, 'dist'), path.join(packageDir, 'wasm-out'));
  } catch {
    // Not resolvable from a bundle shipped without node_modules: the bundle folder must have them.
  }
  return folders;
}

/** Absolute path of one build's .wasm file, or an error that lists where it looked. */
export function locateWasmBinary(flavour: WasmFlavour): string {
  const name = wasmFileNames[flavour];
  const folders = wasmSearchFolders();
  for (const folder of folders) {
    const candidate = path.join(folder, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(
    `${name} not found (looked in ${folders.join(', ')}); rebuild with \`node esbuild.mjs\`, which copies it next to dist/trainer.js, or reinstall @tensorflow/tfjs-backend-wasm`,
  );
}
