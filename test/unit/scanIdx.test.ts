import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { scanDataset } from '../../src/datasetScan/scanDataset';
import { allIssues, countsOf, issuesWithCode, tempDir, writeAt } from './datasetScanFixtures';

/** An IDX labels file, byte by byte: magic, count, then one unsigned byte per label. */
function idxLabels(labels: readonly number[], magic = 0x00000801): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(magic, 0);
  header.writeUInt32BE(labels.length, 4);
  return Buffer.concat([header, Buffer.from(labels)]);
}

/** An IDX images file: magic, count, rows, columns, then count x rows x columns pixel bytes. */
function idxImages(count: number, rows = 4, columns = 4, magic = 0x00000803): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(magic, 0);
  header.writeUInt32BE(count, 4);
  header.writeUInt32BE(rows, 8);
  header.writeUInt32BE(columns, 12);
  return Buffer.concat([header, Buffer.alloc(count * rows * columns, 7)]);
}

test('MNIST IDX: a domain per images/labels prefix, classes are the label values with their counts', async (t) => {
  const root = await tempDir(t);
  await writeAt(root, 'train-images-idx3-ubyte', idxImages(6));
  await writeAt(root, 'train-labels-idx1-ubyte', idxLabels([0, 1, 1, 10, 2, 2]));
  await writeAt(root, 't10k-images-idx3-ubyte.gz', gzipSync(idxImages(3)));
  await writeAt(root, 't10k-labels-idx1-ubyte.gz', gzipSync(idxLabels([2, 0, 1])));

  const summary = await scanDataset(root);

  assert.equal(summary.layout, 'idx');
  assert.deepEqual(countsOf(summary), { t10k: { 0: 1, 1: 1, 2: 1 }, train: { 0: 1, 1: 2, 2: 2, 10: 1 } });
  assert.equal(summary.count, 9);
  assert.deepEqual(summary.classNames, ['0', '1', '2', '10']);
  assert.equal(summary.domains.find((domain) => domain.name === 'train')!.path, path.join(root, 'train-images-idx3-ubyte'));
  assert.ok(summary.domains.every((domain) => domain.classes.every((entry) => entry.samples.length === 0)));
  // t10k lacks class 10, which train has.
  assert.deepEqual(
    allIssues(summary).map((issue) => issue.code),
    ['class-mismatch'],
  );
});

test('an IDX file with the wrong magic number is bad-idx naming the file and the magic found', async (t) => {
  const root = await tempDir(t);
  await writeAt(root, 'train-images-idx3-ubyte', idxImages(2));
  const labels = await writeAt(root, 'train-labels-idx1-ubyte', idxLabels([0, 1], 0x00000803));

  const summary = await scanDataset(root);
  const issues = issuesWithCode(allIssues(summary), 'bad-idx');

  assert.equal(summary.count, 0);
  assert.equal(issues.length, 1);
  assert.equal(issues[0].path, labels);
  assert.match(issues[0].message, /^train-labels-idx1-ubyte: magic number 0x00000803 found, 0x00000801 expected/);
});

test('image and label counts that disagree are bad-idx', async (t) => {
  const root = await tempDir(t);
  await writeAt(root, 'train-images-idx3-ubyte', idxImages(3));
  await writeAt(root, 'train-labels-idx1-ubyte', idxLabels([0, 1]));

  const summary = await scanDataset(root);
  const [issue] = issuesWithCode(allIssues(summary), 'bad-idx');

  assert.equal(summary.count, 0);
  assert.match(issue.message, /3 images but train-labels-idx1-ubyte has 2 labels/);
});

test('truncated IDX files and a lone images file are bad-idx', async (t) => {
  const root = await tempDir(t);
  await writeAt(root, 'train-images-idx3-ubyte', idxImages(2).subarray(0, 30));
  await writeAt(root, 'train-labels-idx1-ubyte', idxLabels([0, 1]).subarray(0, 9));
  await writeAt(root, 'extra-images-idx3-ubyte', idxImages(1));

  const summary = await scanDataset(root);
  const messages = issuesWithCode(allIssues(summary), 'bad-idx')
    .map((issue) => issue.message)
    .sort();

  assert.equal(messages.length, 3);
  assert.match(messages[0], /^extra-images-idx3-ubyte: no labels file/);
  assert.match(messages[1], /^train-images-idx3-ubyte: .*truncated/);
  assert.match(messages[2], /^train-labels-idx1-ubyte: .*truncated/);
});

test('a .gz IDX file that is not gzip is bad-idx', async (t) => {
  const root = await tempDir(t);
  await writeAt(root, 'train-images-idx3-ubyte.gz', idxImages(1));
  await writeAt(root, 'train-labels-idx1-ubyte.gz', gzipSync(idxLabels([0])));

  const summary = await scanDataset(root);
  const [issue] = issuesWithCode(allIssues(summary), 'bad-idx');

  assert.match(issue.message, /^train-images-idx3-ubyte\.gz: not a valid gzip file/);
});
