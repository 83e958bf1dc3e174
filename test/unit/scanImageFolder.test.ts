import assert from 'node:assert/strict';
import { chmod, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { createImageTree } from '../fixtures/imageTree';
import { scanDataset } from '../../src/datasetScan/scanDataset';
import { allIssues, classNamed, countsOf, domainNamed, issuesWithCode, tempDir, writeAt } from './datasetScanFixtures';

test('ImageFolder: counts images per domain and class, and keeps a few absolute sample paths', async (t) => {
  const root = await tempDir(t);
  await createImageTree(root, { amazon: { bike: 3, mug: 5 }, webcam: { bike: 2, mug: 1 } });

  const summary = await scanDataset(root, { samplesPerClass: 2 });

  assert.equal(summary.layout, 'imagefolder');
  assert.equal(summary.root, root);
  assert.deepEqual(countsOf(summary), { amazon: { bike: 3, mug: 5 }, webcam: { bike: 2, mug: 1 } });
  assert.equal(summary.count, 11);
  assert.equal(domainNamed(summary, 'amazon').count, 8);
  assert.equal(domainNamed(summary, 'amazon').path, path.join(root, 'amazon'));
  assert.deepEqual(summary.classNames, ['bike', 'mug']);
  assert.deepEqual(classNamed(domainNamed(summary, 'amazon'), 'mug').samples, [
    path.join(root, 'amazon', 'mug', '0000.png'),
    path.join(root, 'amazon', 'mug', '0001.png'),
  ]);
  assert.deepEqual(allIssues(summary), []);
});

test('ImageFolder: image extensions count case-insensitively; images in sub-folders belong to the class', async (t) => {
  const root = await tempDir(t);
  for (const name of ['a.JPG', 'b.jpeg', 'c.Png', 'd.bmp', 'e.webp', 'f.gif', 'g.tif', 'h.TIFF', 'deeper/i.png']) {
    await writeAt(root, `d/cls/${name}`);
  }
  const summary = await scanDataset(root);
  assert.deepEqual(countsOf(summary), { d: { cls: 9 } });
});

test('Office-31: <domain>/images/<class>/ is detected and the domain path is its images folder', async (t) => {
  const root = await tempDir(t);
  await createImageTree(root, { amazon: { back_pack: 2, bike: 1 }, dslr: { back_pack: 1, bike: 6 } }, { layout: 'office31' });

  const summary = await scanDataset(root);

  assert.equal(summary.layout, 'office31');
  assert.deepEqual(countsOf(summary), { amazon: { back_pack: 2, bike: 1 }, dslr: { back_pack: 1, bike: 6 } });
  assert.equal(domainNamed(summary, 'dslr').path, path.join(root, 'dslr', 'images'));
  assert.equal(classNamed(domainNamed(summary, 'dslr'), 'bike').samples.length, 4, 'four samples per class by default');
  assert.deepEqual(allIssues(summary), []);
});

test('class names with spaces and non-ASCII characters are kept as they are', async (t) => {
  const root = await tempDir(t);
  await createImageTree(root, { 'caméra 1': { 'back pack': 1, Ölkanne: 2, 自転車: 1 }, 'caméra 2': { 'back pack': 1, Ölkanne: 1, 自転車: 3 } });

  const summary = await scanDataset(root);

  assert.deepEqual(summary.classNames, ['back pack', 'Ölkanne', '自転車']);
  assert.equal(classNamed(domainNamed(summary, 'caméra 2'), '自転車').count, 3);
  assert.equal(classNamed(domainNamed(summary, 'caméra 1'), 'back pack').samples[0], path.join(root, 'caméra 1', 'back pack', '0000.png'));
  assert.deepEqual(allIssues(summary), []);
});

test('a 0-byte image is reported as empty-file and not counted', async (t) => {
  const root = await tempDir(t);
  await createImageTree(root, { d: { cls: 2 } });
  const empty = await writeAt(root, 'd/cls/broken.png', Buffer.alloc(0));

  const summary = await scanDataset(root);
  const cls = classNamed(domainNamed(summary, 'd'), 'cls');

  assert.equal(cls.count, 2);
  assert.ok(!cls.samples.includes(empty));
  const [issue] = issuesWithCode(cls.issues, 'empty-file');
  assert.equal(issue.path, empty);
  assert.match(issue.message, /"broken\.png"/);
});

test('non-image files are one aggregated issue per class, with the count and a few names, and not counted', async (t) => {
  const root = await tempDir(t);
  await createImageTree(root, { d: { cls: 1 } });
  for (let i = 0; i < 7; i++) await writeAt(root, `d/cls/notes-${i}.txt`, 'text');

  const summary = await scanDataset(root);
  const cls = classNamed(domainNamed(summary, 'd'), 'cls');

  assert.equal(cls.count, 1);
  const issues = issuesWithCode(cls.issues, 'non-image-files');
  assert.equal(issues.length, 1);
  assert.match(issues[0].message, /^7 files/);
  assert.match(issues[0].message, /"notes-0\.txt"/);
  assert.match(issues[0].message, /and 2 more/);
  assert.equal(issues[0].path, path.join(root, 'd', 'cls'));
});

test('hidden files, hidden folders, Thumbs.db and .DS_Store are ignored silently', async (t) => {
  const root = await tempDir(t);
  await createImageTree(root, { d: { cls: 1 } });
  await writeAt(root, 'd/cls/Thumbs.db', 'x');
  await writeAt(root, 'd/cls/.DS_Store', 'x');
  await writeAt(root, 'd/cls/.hidden.png');
  await writeAt(root, 'd/.cache/x.png');
  await writeAt(root, '.git/HEAD', 'ref');

  const summary = await scanDataset(root);

  assert.deepEqual(countsOf(summary), { d: { cls: 1 } });
  assert.deepEqual(allIssues(summary), []);
});

test('an empty class folder is reported as empty-class on that class', async (t) => {
  const root = await tempDir(t);
  await createImageTree(root, { a: { bike: 1, mug: 1 }, b: { bike: 1 } });
  await mkdir(path.join(root, 'b', 'mug'));

  const summary = await scanDataset(root);
  const mug = classNamed(domainNamed(summary, 'b'), 'mug');

  assert.equal(mug.count, 0);
  assert.deepEqual(
    mug.issues.map((issue) => issue.code),
    ['empty-class'],
  );
  assert.deepEqual(issuesWithCode(allIssues(summary), 'class-mismatch'), []);
});

test('a domain without class folders is reported as empty-domain', async (t) => {
  const root = await tempDir(t);
  await createImageTree(root, { a: { bike: 1 } });
  await mkdir(path.join(root, 'b'));

  const summary = await scanDataset(root);

  assert.deepEqual(
    domainNamed(summary, 'b').issues.map((issue) => issue.code),
    ['empty-domain'],
  );
});

test('class sets that differ: class-mismatch on each domain that lacks classes, naming them; classNames is the union', async (t) => {
  const root = await tempDir(t);
  await createImageTree(root, {
    amazon: { bike: 1, mug: 1, 'desk lamp': 1 },
    dslr: { bike: 1, mug: 1, 'desk lamp': 1 },
    webcam: { bike: 1, phone: 1 },
  });

  const summary = await scanDataset(root);

  assert.deepEqual(summary.classNames, ['bike', 'desk lamp', 'mug', 'phone']);
  const webcam = issuesWithCode(domainNamed(summary, 'webcam').issues, 'class-mismatch');
  assert.equal(webcam.length, 1);
  assert.match(webcam[0].message, /"desk lamp", "mug"/);
  assert.doesNotMatch(webcam[0].message, /phone/);
  for (const name of ['amazon', 'dslr']) {
    const [issue] = issuesWithCode(domainNamed(summary, name).issues, 'class-mismatch');
    assert.match(issue.message, /"phone"/);
    assert.doesNotMatch(issue.message, /bike|mug|desk lamp/);
  }
  // Each domain lists its classes in the order of the union.
  assert.deepEqual(
    domainNamed(summary, 'amazon').classes.map((entry) => entry.name),
    ['bike', 'desk lamp', 'mug'],
  );
});

test('a file where a domain or class folder is expected is reported and ignored', async (t) => {
  const root = await tempDir(t);
  await createImageTree(root, { d: { cls: 1 } });
  const stray = await writeAt(root, 'd/stray.png');
  await writeAt(root, 'README.txt', 'A dataset of bikes.');

  const summary = await scanDataset(root);

  assert.equal(summary.layout, 'imagefolder');
  assert.deepEqual(countsOf(summary), { d: { cls: 1 } });
  const [inDomain] = issuesWithCode(domainNamed(summary, 'd').issues, 'unexpected-file');
  assert.equal(inDomain.path, stray);
  assert.match(inDomain.message, /"stray\.png"/);
  const [inRoot] = issuesWithCode(summary.issues, 'unexpected-file');
  assert.match(inRoot.message, /"README\.txt"/);
  // Not a root-level failure: the Datasets view treats not-a-directory on the root as fatal.
  assert.deepEqual(issuesWithCode(summary.issues, 'not-a-directory'), []);
});

test('a symbolic link loop is reported, not followed forever, and the rest is counted', async (t) => {
  const root = await tempDir(t);
  await createImageTree(root, { d: { cls: 2 } });
  const loop = path.join(root, 'd', 'cls', 'again');
  await symlink(path.join(root, 'd'), loop);
  const domainLoop = path.join(root, 'mirror');
  await symlink(root, domainLoop);

  const summary = await scanDataset(root);

  assert.deepEqual(countsOf(summary), { d: { cls: 2 } });
  const loops = issuesWithCode(allIssues(summary), 'symlink-loop');
  assert.deepEqual(loops.map((issue) => issue.path).sort(), [loop, domainLoop].sort());
  assert.deepEqual(issuesWithCode(classNamed(domainNamed(summary, 'd'), 'cls').issues, 'symlink-loop').length, 1);
});

test('a self-referencing symbolic link is a symlink-loop too', async (t) => {
  const root = await tempDir(t);
  await createImageTree(root, { d: { cls: 1 } });
  const self = path.join(root, 'd', 'cls', 'self.png');
  await symlink(self, self);

  const summary = await scanDataset(root);

  assert.equal(classNamed(domainNamed(summary, 'd'), 'cls').count, 1);
  assert.deepEqual(
    issuesWithCode(allIssues(summary), 'symlink-loop').map((issue) => issue.path),
    [self],
  );
});

test('a broken symbolic link is reported as unreadable', async (t) => {
  const root = await tempDir(t);
  await createImageTree(root, { d: { cls: 1 } });
  const dangling = path.join(root, 'd', 'cls', 'gone.png');
  await symlink(path.join(root, 'nowhere.png'), dangling);

  const summary = await scanDataset(root);
  const [issue] = classNamed(domainNamed(summary, 'd'), 'cls').issues;

  assert.equal(classNamed(domainNamed(summary, 'd'), 'cls').count, 1);
  assert.equal(issue.code, 'unreadable');
  assert.equal(issue.path, dangling);
  assert.match(issue.message, /broken symbolic link/);
});

test('symbolic links to folders and images elsewhere are followed', async (t) => {
  const root = await tempDir(t);
  const elsewhere = await tempDir(t);
  await createImageTree(elsewhere, { d: { bike: 3 } });
  await createImageTree(root, { d: { mug: 1 } });
  await symlink(path.join(elsewhere, 'd', 'bike'), path.join(root, 'd', 'bike'));
  await symlink(path.join(elsewhere, 'd', 'bike', '0000.png'), path.join(root, 'd', 'mug', 'linked.png'));

  const summary = await scanDataset(root);

  assert.deepEqual(countsOf(summary), { d: { bike: 3, mug: 2 } });
  assert.deepEqual(allIssues(summary), []);
});

/**
 * Permission bits do not stop root, so as root the scan runs with the effective user switched to
 * `nobody` (and back): a real EACCES from the file system, not a simulated one.
 */
async function asUnprivileged<T>(work: () => Promise<T>): Promise<T> {
  if (process.geteuid?.() !== 0) return work();
  process.seteuid!(65534);
  try {
    return await work();
  } finally {
    process.seteuid!(0);
  }
}

test('an unreadable class folder is reported as unreadable, not as empty', { skip: process.platform === 'win32' }, async (t) => {
  const root = await tempDir(t);
  await chmod(root, 0o755);
  await createImageTree(root, { d: { bike: 1, locked: 1 } });
  const locked = path.join(root, 'd', 'locked');
  await chmod(locked, 0o000);
  const summary = await asUnprivileged(() => scanDataset(root)).finally(() => chmod(locked, 0o755));
  const issues = classNamed(domainNamed(summary, 'd'), 'locked').issues;

  assert.equal(classNamed(domainNamed(summary, 'd'), 'bike').count, 1);
  assert.deepEqual(
    issues.map((issue) => issue.code),
    ['unreadable'],
  );
  assert.match(issues[0].message, /permission denied/);
  assert.equal(issues[0].path, locked);
});
