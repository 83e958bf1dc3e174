import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { scanDataset } from '../../src/datasetScan/scanDataset';
import { allIssues, classNamed, countsOf, domainNamed, issuesWithCode, tempDir, writeAt } from './datasetScanFixtures';

/** The ImageCLEF-DA shape: images in per-domain folders, root-relative lists in list/. */
async function imageClefRoot(root: string): Promise<void> {
  for (const domain of ['b', 'c']) {
    for (let i = 0; i < 3; i++) await writeAt(root, `${domain}/img ${i}.jpg`);
  }
  await writeAt(root, 'list/bList.txt', 'b/img 0.jpg 0\nb/img 1.jpg 1\r\n\n# a comment\nb/img 2.jpg 1\n');
  await writeAt(root, 'list/cList.txt', 'c/img 0.jpg 0\nc/img 1.jpg 0\nc/img 2.jpg 1\n');
}

test('list files in list/: one domain per file (List suffix stripped), classes are labels, paths root-relative', async (t) => {
  const root = await tempDir(t);
  await imageClefRoot(root);

  const summary = await scanDataset(root, { samplesPerClass: 1 });

  assert.equal(summary.layout, 'listfile');
  assert.deepEqual(countsOf(summary), { b: { 0: 1, 1: 2 }, c: { 0: 2, 1: 1 } });
  assert.equal(summary.count, 6);
  assert.deepEqual(summary.classNames, ['0', '1']);
  assert.equal(domainNamed(summary, 'b').path, path.join(root, 'list', 'bList.txt'));
  assert.deepEqual(classNamed(domainNamed(summary, 'b'), '1').samples, [path.join(root, 'b', 'img 1.jpg')]);
  assert.deepEqual(allIssues(summary), []);
});

test('label classes sort as numbers, and classes.txt names them', async (t) => {
  const root = await tempDir(t);
  const lines: string[] = [];
  for (let label = 0; label <= 10; label++) {
    await writeAt(root, `imgs/${label}.png`);
    lines.push(`imgs/${label}.png ${label}`);
  }
  await writeAt(root, 'amazon_list.txt', lines.join('\n'));

  const numbered = await scanDataset(root);
  assert.deepEqual(numbered.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  assert.equal(numbered.domains[0].name, 'amazon');

  await writeAt(root, 'classes.txt', 'zebra\napple\n');
  const named = await scanDataset(root);
  assert.deepEqual(named.classNames.slice(0, 2), ['10', '2']);
  assert.ok(named.classNames.includes('zebra') && named.classNames.includes('apple'));
  const [unknown] = issuesWithCode(allIssues(named), 'unknown-label');
  assert.match(unknown.message, /"2", "3"/);
  assert.equal(unknown.line, 3);
});

test('a malformed line is reported with the list file and its 1-based line', async (t) => {
  const root = await tempDir(t);
  await writeAt(root, 'b/0.jpg');
  await writeAt(root, 'b/1.jpg');
  const listFile = await writeAt(root, 'bList.txt', 'b/0.jpg 0\n\nb/1.jpg one\nb/1.jpg 1\n');

  const summary = await scanDataset(root);

  assert.equal(summary.layout, 'listfile');
  assert.equal(summary.count, 1 + 1);
  const [issue] = issuesWithCode(allIssues(summary), 'malformed-line');
  assert.equal(issue.path, listFile);
  assert.equal(issue.line, 3);
  assert.match(issue.message, /^bList\.txt:3: expected "<path> <label>"/);
  assert.match(issue.message, /"b\/1\.jpg one"/);
});

test('many malformed lines are listed up to a limit and then counted', async (t) => {
  const root = await tempDir(t);
  await writeAt(root, 'x.jpg');
  await writeAt(root, 'notes.txt', ['x.jpg 0', ...Array.from({ length: 25 }, (_, i) => `bad line #${i}`)].join('\n'));

  const summary = await scanDataset(root);
  const malformed = issuesWithCode(allIssues(summary), 'malformed-line');

  assert.equal(malformed.length, 11);
  assert.equal(malformed[10].line, 12);
  assert.match(malformed[10].message, /15 more malformed lines/);
});

test('listed images that do not exist are one missing-image issue with the count and the first few', async (t) => {
  const root = await tempDir(t);
  await writeAt(root, 'b/ok.jpg');
  const listFile = await writeAt(root, 'b.txt', ['b/ok.jpg 0', ...Array.from({ length: 8 }, (_, i) => `b/gone-${i}.jpg 0`)].join('\n'));

  const summary = await scanDataset(root);
  const issues = issuesWithCode(domainNamed(summary, 'b').issues, 'missing-image');

  assert.equal(summary.count, 1);
  assert.equal(issues.length, 1);
  assert.equal(issues[0].path, listFile);
  assert.equal(issues[0].line, 2);
  assert.match(issues[0].message, /^8 listed images not found/);
  assert.match(issues[0].message, /"b\/gone-0\.jpg"/);
});

test("paths not found under the root resolve against the list file's folder", async (t) => {
  const root = await tempDir(t);
  await writeAt(root, 'list/pics/a.png');
  await writeAt(root, 'list/webcam_list.txt', 'pics/a.png 0\n');

  const summary = await scanDataset(root);

  assert.deepEqual(countsOf(summary), { webcam: { 0: 1 } });
  assert.equal(summary.domains[0].classes[0].samples[0], path.join(root, 'list', 'pics', 'a.png'));
  assert.deepEqual(allIssues(summary), []);
});

test('a listed 0-byte image is empty-file and a listed non-image is non-image-files', async (t) => {
  const root = await tempDir(t);
  await writeAt(root, 'd/ok.png');
  await writeAt(root, 'd/empty.png', Buffer.alloc(0));
  await writeAt(root, 'd/meta.json', '{}');
  await writeAt(root, 'd.txt', 'd/ok.png 0\nd/empty.png 0\nd/meta.json 0\n');

  const summary = await scanDataset(root);
  const cls = classNamed(domainNamed(summary, 'd'), '0');

  assert.equal(cls.count, 1);
  assert.deepEqual(cls.issues.map((issue) => issue.code).sort(), ['empty-file', 'non-image-files']);
});

test('a label far outside the others (a typo such as 99999) is a stray-label warning at its first line, in whichever list file has it', async (t) => {
  const root = await tempDir(t);
  const lines = (domain: string, labels: number[]) => labels.map((label, i) => `${domain}/${i}.png ${label}`).join('\n');
  for (const domain of ['a', 'b']) for (let i = 0; i < 13; i++) await writeAt(root, `${domain}/${i}.png`);
  const labels = Array.from({ length: 12 }, (_, i) => i);
  await writeAt(root, 'a.txt', lines('a', labels));
  await writeAt(root, 'b.txt', lines('b', [...labels, 99999]));

  const summary = await scanDataset(root);

  const stray = issuesWithCode(allIssues(summary), 'stray-label');
  assert.equal(stray.length, 1);
  assert.equal(stray[0].path, path.join(root, 'b.txt'));
  assert.equal(stray[0].line, 13);
  assert.match(stray[0].message, /Label 99999 lies outside 0–11/);
  assert.deepEqual(issuesWithCode(domainNamed(summary, 'a').issues, 'stray-label'), []);
});

test('labels without a gap, or gaps among few labels, are not stray: 1-based labels and sparse label sets stay quiet', async (t) => {
  for (const labels of [
    [1, 2, 3],
    [0, 10, 20],
    [0, 1, 5],
  ]) {
    const root = await tempDir(t);
    for (let i = 0; i < labels.length; i++) await writeAt(root, `x/${i}.png`);
    await writeAt(root, 'list.txt', labels.map((label, i) => `x/${i}.png ${label}`).join('\n'));
    assert.deepEqual(issuesWithCode(allIssues(await scanDataset(root)), 'stray-label'), [], `labels ${labels.join(', ')}`);
  }
});
