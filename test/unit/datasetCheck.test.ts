import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { scanDataset } from '../../src/datasetScan/scanDataset';
import { datasetCheckProblems, type ExperimentDataScan } from '../../src/experiment/datasetCheck';
import { closestName } from '../../src/util/closestName';
import { createImageTree } from '../fixtures/imageTree';

/** Scans as the host hands them over: the root, and its own train/ and test/ when it has them. */
async function scanOf(root: string, splitFolders = false): Promise<ExperimentDataScan> {
  const summary = await scanDataset(root);
  if (!splitFolders) return { summary, hasSplitFolders: false };
  return {
    summary,
    hasSplitFolders: true,
    splitFolders: { train: await scanDataset(path.join(root, 'train')), test: await scanDataset(path.join(root, 'test')) },
  };
}

describe('datasetCheckProblems', () => {
  let dir: string;
  let digits: ExperimentDataScan;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kduda-check-'));
    await createImageTree(path.join(dir, 'digits'), { mnist: { '0': 2, '1': 2 }, svhn: { '0': 2, '1': 2 }, 'mnist-m': { '0': 2 } });
    digits = await scanOf(path.join(dir, 'digits'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('passes domains the scan has', () => {
    assert.deepEqual(datasetCheckProblems({ root: 'digits', source: 'mnist', targets: ['svhn'] }, digits), []);
  });

  it('names the field of a domain the root lacks, the root, its domains, and the one probably meant', () => {
    const root = path.join(dir, 'digits');
    assert.deepEqual(datasetCheckProblems({ source: 'mnist', targets: ['svhn', 'usps', 'SVHN2'] }, digits), [
      { field: 'data.targets[1]', message: `no domain "usps" under ${root}; domains: mnist, mnist-m, svhn` },
      { field: 'data.targets[2]', message: `no domain "SVHN2" under ${root} (did you mean "svhn"?); domains: mnist, mnist-m, svhn` },
    ]);
    assert.match(datasetCheckProblems({ source: 'mnsit', targets: ['svhn'] }, digits)[0].message, /^no domain "mnsit" .*\(did you mean "mnist"\?\)/);
  });

  it('reports a selected domain that lacks classes the others have, on its field', () => {
    const [problem, ...others] = datasetCheckProblems({ source: 'mnist', targets: ['mnist-m'] }, digits);
    assert.deepEqual(others, []);
    assert.equal(problem.field, 'data.targets[0]');
    assert.match(problem.message, /^domain "mnist-m" lacks class "1" under .*digits that the other selected domains have/);
  });

  it('skips what the schema reports (no data, a target that is no string) and checks the rest', () => {
    assert.deepEqual(datasetCheckProblems(undefined, digits), []);
    assert.deepEqual(
      datasetCheckProblems({ source: 3, targets: [7, 'usb'] }, digits).map((problem) => problem.field),
      ['data.targets[1]'],
    );
  });

  it('puts a missing root on data.root and a layout the root does not have on data.layout', async () => {
    const missing = await scanOf(path.join(dir, 'gone'));
    const [problem] = datasetCheckProblems({ source: 'mnist', targets: ['svhn'] }, missing);
    assert.equal(problem.field, 'data.root');
    assert.match(problem.message, /gone does not exist/);
    const [layout] = datasetCheckProblems({ layout: 'idx', source: 'mnist', targets: ['svhn'] }, digits);
    assert.deepEqual(layout.field, 'data.layout');
    assert.match(layout.message, /^is "idx" \(MNIST IDX\), but .* is laid out as ImageFolder \("imagefolder"\)/);
  });

  it('reads split folders for split.kind "folders", says where there are none, and points at them when domains are not found', async () => {
    const split = path.join(dir, 'split');
    await createImageTree(path.join(split, 'train'), { mnist: { '0': 2 }, svhn: { '0': 2 } });
    await createImageTree(path.join(split, 'test'), { mnist: { '0': 1 }, svhn: { '0': 1 } });
    const scan = await scanOf(split, true);
    assert.deepEqual(datasetCheckProblems({ source: 'mnist', targets: ['svhn'], split: { kind: 'folders' } }, scan), []);
    assert.deepEqual(
      datasetCheckProblems({ source: 'mnist', targets: ['usps'], split: { kind: 'folders' } }, scan).map((problem) => problem.message),
      [`no domain "usps" under ${path.join(split, 'train')} and ${path.join(split, 'test')} (both splits); domains: mnist, svhn`],
      'a domain neither split has is one problem, naming both',
    );
    assert.deepEqual(
      datasetCheckProblems({ source: 'mnist', targets: ['svhn'] }, scan).map((problem) => problem.field),
      ['data.source', 'data.targets[0]', 'data.split.kind'],
      'the root itself holds train and test, not the domains',
    );
    assert.deepEqual(
      datasetCheckProblems({ source: 'mnist', targets: ['svhn'], split: { kind: 'folders' } }, digits).map((problem) => problem.field),
      ['data.split.kind'],
    );
  });

  it('reports a problem both splits share once, naming both, and one split’s own problem naming that split', async () => {
    const split = path.join(dir, 'split-classes');
    await createImageTree(path.join(split, 'train'), { mnist: { '0': 2, '1': 2, '2': 1 }, broken: { '0': 2, '1': 2 } });
    await createImageTree(path.join(split, 'test'), { mnist: { '0': 1, '1': 0, '2': 1 }, broken: { '0': 1, '1': 1 } });
    const scan = await scanOf(split, true);
    const problems = datasetCheckProblems({ source: 'mnist', targets: ['broken'], split: { kind: 'folders' } }, scan);
    const [train, test] = [path.join(split, 'train'), path.join(split, 'test')];
    assert.deepEqual(problems, [
      {
        field: 'data.targets[0]',
        message: `domain "broken" lacks class "2" under ${train} and ${test} (both splits) that the other selected domains have; every selected domain needs the same classes`,
      },
      {
        field: 'data.source',
        message: `the source domain "mnist" has no images of class "1" under ${test} (the test split): a model cannot learn a class it never sees`,
      },
    ]);
  });

  it('reports a domain with no images and a source class with none', async () => {
    const sparse = path.join(dir, 'sparse');
    await createImageTree(sparse, { mnist: { '0': 2, '1': 0 }, svhn: { '0': 2, '1': 2 } });
    await mkdir(path.join(sparse, 'empty', '0'), { recursive: true });
    const scan = await scanOf(sparse);
    const messages = datasetCheckProblems({ source: 'mnist', targets: ['svhn', 'empty'] }, scan).map((problem) => `${problem.field}: ${problem.message}`);
    assert.equal(messages.length, 2, messages.join('\n'));
    assert.match(messages[0], /^data\.source: the source domain "mnist" has no images of class "1"/);
    assert.match(messages[1], /^data\.targets\[1\]: domain "empty" .* has no readable images/);
  });
});

describe('closestName', () => {
  it('finds a name in another case or a typo away, and nothing for a different name', () => {
    assert.equal(closestName('MNIST', ['mnist', 'svhn']), 'mnist');
    assert.equal(closestName('svnh', ['mnist', 'svhn']), 'svhn');
    assert.equal(closestName('usps', ['mnist', 'svhn']), undefined);
  });
});
