import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { createImageTree } from '../fixtures/imageTree';
import { locatedIssues } from '../../src/datasetScan/issueLocations';
import { scanDataset } from '../../src/datasetScan/scanDataset';
import { tempDir } from './datasetScanFixtures';

test('places each scan issue on the folder or file it concerns, worded with its domain and class', async (t) => {
  const root = await tempDir(t);
  await createImageTree(root, { mnist: { '0': 2, '1': 2, '2': 2, '3': 1 }, broken: { '0': 2, '1': 2, '2': 0 } });
  await writeFile(path.join(root, 'broken', 'readme.txt'), 'notes');
  await writeFile(path.join(root, 'notes.md'), 'notes');

  const located = locatedIssues(await scanDataset(root));

  assert.deepEqual(
    located.map(({ path: where, message, fatal }) => ({ where: path.relative(root, where), message, fatal })),
    [
      { where: 'notes.md', message: '1 file ignored where only domain folders belong: "notes.md".', fatal: false },
      { where: path.join('broken', 'readme.txt'), message: 'Domain "broken": 1 file ignored where only class folders belong: "readme.txt".', fatal: false },
      { where: 'broken', message: 'Domain "broken" lacks 1 class that other domains have (4 in all): "3".', fatal: false },
      { where: path.join('broken', '2'), message: 'Domain "broken": class "2" has no images.', fatal: false },
    ],
  );
});

test('a root that is no dataset is one fatal issue on the root', async (t) => {
  const root = await tempDir(t);
  const [issue, ...others] = locatedIssues(await scanDataset(path.join(root, 'missing')));
  assert.deepEqual(others, []);
  assert.equal(issue.path, path.join(root, 'missing'));
  assert.equal(issue.fatal, true);
  assert.equal(issue.code, 'missing-root');
});
