// Builds every bundle the project ships or tests:
//   dist/extension.js     the extension host entry (CommonJS, `vscode` external)
//   dist/trainer.js       the trainer child-process entry and CLI
//   dist/webview/*.js     one browser bundle per webview panel
//   out/...               (with --tests) unit, integration and e2e tests, the harness and benchmarks
// Flags: --watch rebuilds on change; --production minifies and drops source maps; --tests adds out/.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const withTests = args.has('--tests');

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  define: { 'process.env.KDUDA_VERSION': JSON.stringify(process.env.npm_package_version ?? '0.0.0') },
};

// tfjs-core registers the gradients that training needs only from its ES-module files, which its
// Node bundle ("main") lacks and Node cannot load from node_modules: always bundle those.
const tfjsGradients = {
  name: 'tfjs-gradients',
  setup(build) {
    const gradients = createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    build.onResolve({ filter: /^@tensorflow\/tfjs-core\/dist\/register_all_gradients(\.js)?$/ }, () => ({ path: gradients }));
  },
};

// 'module' first: jsonc-parser's UMD main requires its parts dynamically, which a bundle cannot follow.
const nodeCommon = { ...common, platform: 'node', format: 'cjs', target: 'node20', mainFields: ['module', 'main'], plugins: [tfjsGradients] };

/** The trainer loads tfjs-backend-wasm's binaries from its own folder (no node_modules in a .vsix). */
function copyWasmBinaries() {
  const from = path.join(path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  mkdirSync('dist', { recursive: true });
  for (const name of readdirSync(from).filter((file) => file.endsWith('.wasm'))) copyFileSync(path.join(from, name), path.join('dist', name));
}

/** Every file under `dir` whose name matches `pattern`. */
function filesUnder(dir, pattern) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && pattern.test(entry.name))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}

const webviewEntries = readdirSync('webview-ui', { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'shared')
  .map((entry) => ({ in: `webview-ui/${entry.name}/main.ts`, out: entry.name }));

const configs = [
  { ...nodeCommon, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist', external: ['vscode'] },
  { ...nodeCommon, entryPoints: { trainer: 'src/trainer/main.ts' }, outdir: 'dist' },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: webviewEntries, outdir: 'dist/webview' },
];

// Tests load their dependencies from node_modules, except TensorFlow.js: its gradient registry
// (register_all_gradients) exists only as ES modules, so tests bundle it exactly as the trainer does.
const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const externalForTests = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })
  .filter((name) => !name.startsWith('@tensorflow/'))
  .flatMap((name) => [name, `${name}/*`]);

if (withTests) {
  // Tests and tools run from the repository, so their dependencies are resolved from node_modules.
  configs.push({
    ...nodeCommon,
    sourcemap: 'inline',
    minify: false,
    external: ['vscode', ...externalForTests],
    entryPoints: [...filesUnder('test', /\.ts$/), ...filesUnder('bench', /\.ts$/)],
    outbase: '.',
    outdir: 'out',
  });
}

copyWasmBinaries();

if (watch) {
  const contexts = await Promise.all(configs.map((config) => esbuild.context(config)));
  await Promise.all(contexts.map((context) => context.watch()));
  console.log('esbuild: watching for changes');
} else {
  const started = Date.now();
  await Promise.all(configs.map((config) => esbuild.build(config)));
  console.log(`esbuild: built ${configs.length} bundle sets in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
