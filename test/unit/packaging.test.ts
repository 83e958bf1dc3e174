import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const repo = path.resolve(__dirname, '../../..');

/** The parts of package.json these checks read. */
interface Manifest {
  version: string;
  scripts: Record<string, string>;
  contributes: { jsonValidation: { fileMatch: string; url: string }[]; commands: { command: string; category: string }[] };
}

/** The parts of the experiment schema these checks read. */
interface ExperimentSchema {
  required: string[];
  properties: { data: { properties: Record<string, unknown> } };
}

async function readManifest(): Promise<Manifest> {
  return JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as Manifest;
}

describe('the packaged extension', () => {
  it("packages the universal .vsix offline with npm run package's script, and it carries no sharp", async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-vsix-'));
    try {
      const manifest = await readManifest();
      assert.equal(manifest.scripts.package, 'node scripts/package-vsix.mjs');
      // The bundles as built for the tests: --no-build packages dist/ as it is.
      await promisify(execFile)(process.execPath, [path.join(repo, 'scripts', 'package-vsix.mjs'), '--no-build', '--target', 'universal', '--out', out], {
        cwd: repo,
      });
      const vsix = path.join(out, `kd-uda-lab-universal-${manifest.version}.vsix`);
      assert.ok((await stat(vsix)).size > 10_000, 'the .vsix was written');
      // A zip stores each entry's name uncompressed (local header and central directory).
      assert.equal((await readFile(vsix)).includes('extension/dist/node_modules/'), false, "the universal .vsix carries no platform's sharp");
      assert.equal(existsSync(path.join(repo, 'dist', 'node_modules')), false, 'packaging leaves no staged sharp in the checkout');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('ships the bundles, media, schema and README, and no sources, tests or dependencies', async () => {
    const vsce = path.join(repo, 'node_modules', '.bin', 'vsce');
    const { stdout } = await promisify(execFile)(vsce, ['ls', '--no-dependencies'], { cwd: repo });
    const files = stdout
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    for (const required of [
      'package.json',
      'README.md',
      'dist/extension.js',
      'dist/trainer.js',
      'dist/webview/dataset.js',
      'dist/webview/results.js',
      'media/resultsCharts.css',
      'dist/webview/checkpointDiff.js',
      'media/checkpointDiff.css',
      'schemas/experiment.schema.json',
      'media/icon.png',
    ]) {
      assert.ok(files.includes(required), `${required} is missing from the .vsix: ${files.join(', ')}`);
    }
    const unwanted = files.filter((file) => /^(src|test|webview-ui|bench|node_modules|out|\.ci)\/|\.map$|\.ts$|^esbuild\.mjs$/.test(file));
    assert.deepEqual(unwanted, [], 'sources, tests, maps or dependencies would ship');
  });

  it('contributes a JSON schema for *.kdexp.json that exists and declares the experiment fields', async () => {
    const manifest = await readManifest();
    const validation = manifest.contributes.jsonValidation.find((entry) => entry.fileMatch === '*.kdexp.json');
    assert.ok(validation, 'jsonValidation maps *.kdexp.json');
    const schema = JSON.parse(await readFile(path.join(repo, validation.url), 'utf8')) as ExperimentSchema;
    assert.deepEqual(schema.required, ['data', 'method']);
    assert.deepEqual(Object.keys(schema.properties.data.properties).slice(0, 4), ['root', 'layout', 'source', 'targets']);
  });

  it('declares every command it registers under the KD-UDA category', async () => {
    const manifest = await readManifest();
    const source = await readFile(path.join(repo, 'src', 'host', 'commands', 'commandId.ts'), 'utf8');
    const ids = [...source.matchAll(/'(kdUda\.[A-Za-z]+)'/g)].map((match) => match[1]).sort();
    const declared = manifest.contributes.commands.map((command) => {
      assert.equal(command.category, 'KD-UDA', command.command);
      return command.command;
    });
    assert.deepEqual(declared.sort(), ids);
  });
});
