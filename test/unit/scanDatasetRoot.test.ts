import assert from 'node:assert/strict';
import { promises as fsPromises } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { createImageTree } from '../fixtures/imageTree';
import { scanDataset } from '../../src/datasetScan/scanDataset';
import { tempDir, writeAt } from './datasetScanFixtures';

test('a missing root is a missing-root issue, not an exception', async (t) => {
  const root = path.join(await tempDir(t), 'does-not-exist');

  const summary = await scanDataset(root);

  assert.deepEqual(summary, {
    root,
    layout: undefined,
    count: 0,
    domains: [],
    classNames: [],
    issues: [{ code: 'missing-root', message: `The dataset root ${root} does not exist.`, path: root }],
  });
});

test('a root that is a file is a not-a-directory issue', async (t) => {
  const file = await writeAt(await tempDir(t), 'dataset.png');

  const summary = await scanDataset(file);

  assert.deepEqual(
    summary.issues.map((issue) => issue.code),
    ['not-a-directory'],
  );
  assert.equal(summary.issues[0].path, file);
  assert.equal(summary.layout, undefined);
});

test('an empty root is an unknown-layout issue that says what was expected', async (t) => {
  const root = await tempDir(t);

  const summary = await scanDataset(root);

  assert.deepEqual(
    summary.issues.map((issue) => issue.code),
    ['unknown-layout'],
  );
  assert.match(summary.issues[0].message, /ImageFolder/);
  assert.match(summary.issues[0].message, /Office-31/);
  assert.match(summary.issues[0].message, /idx3-ubyte/);
  assert.match(summary.issues[0].message, /empty/);
});

test('a single domain chosen as the root (images directly in its folders) gets a hint', async (t) => {
  const root = await tempDir(t);
  await writeAt(root, 'bike/0.png');
  await writeAt(root, 'mug/0.png');

  const summary = await scanDataset(root);

  assert.deepEqual(
    summary.issues.map((issue) => issue.code),
    ['unknown-layout'],
  );
  assert.match(summary.issues[0].message, /folder above it/);
});

test('a relative root is scanned from the current folder and reported as given', async (t) => {
  const parent = await tempDir(t);
  await createImageTree(path.join(parent, 'data'), { d: { cls: 1 } });
  const relative = path.relative(process.cwd(), path.join(parent, 'data'));

  const summary = await scanDataset(relative);

  assert.equal(summary.root, relative);
  assert.equal(summary.count, 1);
  assert.ok(path.isAbsolute(summary.domains[0].classes[0].samples[0]));
});

test('aborting rejects with an AbortError, before and during the scan', async (t) => {
  const root = await tempDir(t);
  await createImageTree(root, { a: { x: 1, y: 1 }, b: { x: 1 } });
  await mkdir(path.join(root, 'b', 'y'));

  const before = new AbortController();
  before.abort();
  await assert.rejects(scanDataset(root, { signal: before.signal }), { name: 'AbortError' });

  const during = new AbortController();
  const scan = scanDataset(root, { signal: during.signal });
  during.abort();
  await assert.rejects(scan, { name: 'AbortError' });
});

test('an abort in the middle of a walk stops it at the next folder instead of finishing', async (t) => {
  const root = await tempDir(t);
  await createImageTree(root, { d: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`class ${i}`, 1])) });
  const controller = new AbortController();
  const readdir = fsPromises.readdir;
  let folderReads = 0;
  t.mock.method(fsPromises, 'readdir', (...args: Parameters<typeof readdir>) => {
    if (++folderReads === 8) controller.abort();
    return readdir(...args);
  });

  await assert.rejects(scanDataset(root, { signal: controller.signal }), { name: 'AbortError' });

  assert.ok(folderReads < 20, `${folderReads} folders read after the abort`);
});
