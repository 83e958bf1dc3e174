import assert from 'node:assert/strict';
import { test } from 'node:test';
import { domainNameOfListFile, parseClassNames, parseListLine } from '../../src/datasetScan/listFileFormat';
import { sortClassNames } from '../../src/datasetScan/classConsistency';

test('list lines: path then integer label; spaces in paths; blanks and comments; anything else is malformed', () => {
  assert.deepEqual(parseListLine('b/252.jpg 3'), { kind: 'entry', imagePath: 'b/252.jpg', label: 3 });
  assert.deepEqual(parseListLine('  my dir/a b.jpg\t12 \r'), { kind: 'entry', imagePath: 'my dir/a b.jpg', label: 12 });
  assert.deepEqual(parseListLine(''), { kind: 'blank' });
  assert.deepEqual(parseListLine('   # header'), { kind: 'blank' });
  for (const line of ['b/252.jpg', 'b/252.jpg -1', 'b/252.jpg 1.5', 'b/252.jpg x', '3', 'b/252.jpg 12345678901']) {
    assert.deepEqual(parseListLine(line), { kind: 'malformed' }, line);
  }
});

test('list file names become domain names without .txt and a List or _list suffix', () => {
  assert.equal(domainNameOfListFile('bList.txt'), 'b');
  assert.equal(domainNameOfListFile('amazon_list.txt'), 'amazon');
  assert.equal(domainNameOfListFile('webcam.TXT'), 'webcam');
  assert.equal(domainNameOfListFile('List.txt'), 'List');
  assert.equal(domainNameOfListFile('checklist.txt'), 'checklist');
});

test('class names files: label k is the k-th non-blank line', () => {
  assert.deepEqual(parseClassNames('\uFEFFback pack\r\nbike\n\nmug\n'), ['back pack', 'bike', 'mug']);
});

test('class names sort as numbers when all are numbers, else by code unit', () => {
  assert.deepEqual(sortClassNames(['10', '2', '1', '2']), ['1', '2', '10']);
  assert.deepEqual(sortClassNames(['b', '10', 'B', '2', 'a']), ['10', '2', 'B', 'a', 'b']);
});
