// Builds every bundle the project ships or tests:
//   dist/extension.js     the extension host entry (CommonJS, `vscode` external)
//   dist/trainer.js       the trainer child-process entry and CLI
//   dist/webview/*.js     one browser bundle per webview panel
//   out/...               (with --tests) unit, integration and e2e tests, the harness and benchmarks
// Flags: --watch rebuilds on change; --production minifies and drops source maps; --tests adds out/.
import * as esbuild from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
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

const nodeCommon = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

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

if (watch) {
  const contexts = await Promise.all(configs.map((config) => esbuild.context(config)));
  await Promise.all(contexts.map((context) => context.watch()));
  console.log('esbuild: watching for changes');
} else {
  const started = Date.now();
  await Promise.all(configs.map((config) => esbuild.build(config)));
  console.log(`esbuild: built ${configs.length} bundle sets in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
