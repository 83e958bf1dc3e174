import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { createImageTree } from '../fixtures/imageTree';
import { scanDataset } from '../../src/datasetScan/scanDataset';
import { combineSplits } from '../../src/datasetScan/splitSummary';
import { tempDir } from './datasetScanFixtures';

test('a root’s train/ and test/ read as one dataset: each domain and class with its count per split, the issues of both', async (t) => {
  const root = await tempDir(t);
  await createImageTree(path.join(root, 'train'), { mnist: { '0': 3, '1': 2 }, svhn: { '0': 2, '1': 2 } });
  await createImageTree(path.join(root, 'val'), { mnist: { '0': 1, '1': 1 }, svhn: { '0': 1 }, usps: { '0': 1, '1': 1 } });

  const combined = combineSplits(root, await scanDataset(path.join(root, 'train')), await scanDataset(path.join(root, 'val')));

  assert.equal(combined.layout, 'imagefolder');
  assert.equal(combined.testFolder, 'val');
  assert.equal(combined.count, 14);
  assert.deepEqual(combined.classNames, ['0', '1']);
  assert.deepEqual(
    combined.domains.map((domain) => [domain.name, domain.splits, domain.classes.map((entry) => [entry.name, entry.splits])]),
    [
      [
        'mnist',
        { train: 5, test: 2 },
        [
          ['0', { train: 3, test: 1 }],
          ['1', { train: 2, test: 1 }],
        ],
      ],
      [
        'svhn',
        { train: 4, test: 1 },
        [
          ['0', { train: 2, test: 1 }],
          ['1', { train: 2, test: 0 }],
        ],
      ],
      [
        'usps',
        { train: 0, test: 2 },
        [
          ['0', { train: 0, test: 1 }],
          ['1', { train: 0, test: 1 }],
        ],
      ],
    ],
  );
  const svhn = combined.domains.find((domain) => domain.name === 'svhn')!;
  assert.equal(svhn.path, path.join(root, 'train', 'svhn'));
  assert.deepEqual(
    svhn.issues.map((issue) => [issue.code, issue.path]),
    [['class-mismatch', path.join(root, 'val', 'svhn')]],
    'the test split’s issue, on the test split’s folder',
  );
});
