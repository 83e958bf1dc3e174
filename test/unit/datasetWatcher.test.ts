import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatasetWatcher } from '../../src/host/datasetsView/datasetWatcher';
import { createImageTree } from '../fixtures/imageTree';

// The Datasets view's counts follow the disk through this watcher. Chokidar is told to ignore what
// it finds while reading a root, so the extension rescans once it says the root is watched; what
// changes from then on asks for a (debounced) rescan of its root.

const DEBOUNCE_MS = 100;

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

describe('DatasetWatcher', () => {
  const folders: string[] = [];
  after(async () => Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))));

  it('says when it watches a root, and a domain added after that settles into a rescan of that root', { timeout: 20_000 }, async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'kduda-watch-'));
    folders.push(root);
    await createImageTree(root, { mnist: { '0': 2, '1': 2 } });
    const watching = deferred<string>();
    const settled: string[] = [];
    const firstSettled = deferred<void>();
    const watcher = new DatasetWatcher(
      DEBOUNCE_MS,
      (settledRoot) => {
        settled.push(settledRoot);
        firstSettled.resolve();
      },
      (message) => assert.fail(message),
      (watchedRoot) => watching.resolve(watchedRoot),
    );
    try {
      watcher.setRoots([root]);
      assert.equal(await watching.promise, root);
      assert.deepEqual(settled, [], 'reading the existing tree is no change');

      await createImageTree(root, { usps: { '0': 3, '1': 3 } });
      await firstSettled.promise;
      // How many rescans a burst becomes depends on how the writes spread in time (debounce.test.ts covers the debouncing).
      assert.deepEqual([...new Set(settled)], [root]);
    } finally {
      watcher.dispose();
    }
  });

  it('stops watching a root that is no longer listed', { timeout: 20_000 }, async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'kduda-watch-'));
    folders.push(root);
    await createImageTree(root, { mnist: { '0': 1 } });
    const watching = deferred<string>();
    const settled: string[] = [];
    const watcher = new DatasetWatcher(
      DEBOUNCE_MS,
      (settledRoot) => settled.push(settledRoot),
      (message) => assert.fail(message),
      (watchedRoot) => watching.resolve(watchedRoot),
    );
    try {
      watcher.setRoots([root]);
      await watching.promise;
      watcher.setRoots([]);
      await createImageTree(root, { usps: { '0': 2 } });
      await new Promise((done) => setTimeout(done, DEBOUNCE_MS * 5));
      assert.deepEqual(settled, []);
    } finally {
      watcher.dispose();
    }
  });
});
