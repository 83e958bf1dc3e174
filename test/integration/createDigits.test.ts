import * as assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { KdUdaApi } from '../../src/extension';
import { poll } from '../harness/poll';
import { labelText } from './treeItemText';

describe('Create Digits Benchmark command', function () {
  // Spawns the real trainer, which may first fetch Debian packages into its cache.
  this.timeout(180_000);
  let out: string;

  before(function () {
    if (process.env.KDUDA_TEST_TRUST === 'untrusted') this.skip();
  });

  after(async () => {
    await vscode.workspace.getConfiguration('kdUda').update('datasets', undefined, vscode.ConfigurationTarget.Workspace);
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('runs the trainer generator in a child process and adds the benchmark to the Datasets view as one dataset with its own test split', async () => {
    const api = await vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab')!.activate();
    out = path.join(await mkdtemp(path.join(os.tmpdir(), 'kd-uda-it-digits-')), 'digits');
    const result = await vscode.commands.executeCommand<{ created: boolean; reason?: string }>('kdUda.createDigitsBenchmark', { out, size: 20, seed: 3 });
    assert.equal(result.created, true, result.reason);

    const descriptions = await poll(
      'the benchmark scanned in the Datasets view, its splits read as one dataset',
      () => {
        const nodes = api.datasets.tree.getChildren().filter((node) => node.root.startsWith(out));
        const seen = nodes
          .map((node) => {
            const item = api.datasets.tree.getTreeItem(node);
            return `${labelText(item)}: ${String(item.description)}`;
          })
          .sort();
        if (seen.length === 1 && seen.every((text) => /images$/.test(text))) return seen;
        throw new Error(`the view shows ${JSON.stringify(seen)}`);
      },
      30_000,
      200,
    );
    // One dataset with its own test split: 20 training images per domain, and the test split keeps at least one image per class (10 per domain).
    assert.deepEqual(descriptions, ['digits: ImageFolder · train/test folders · 4 domains · 120 images']);
  });
});
