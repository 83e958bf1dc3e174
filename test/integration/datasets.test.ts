import * as assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { KdUdaApi } from '../../src/extension';
import type { DatasetNode } from '../../src/host/datasetsView/datasetTreeProvider';
import { writeExperiment } from '../fixtures/experiments';
import { createImageTree, makeImage } from '../fixtures/imageTree';
import { poll } from '../harness/poll';
import { labelText, tooltipText } from './treeItemText';

const EXTENSION_ID = 'kd-uda-lab.kd-uda-lab';

async function api(): Promise<KdUdaApi> {
  const extension = vscode.extensions.getExtension<KdUdaApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not installed in this host`);
  return extension.activate();
}

/** The tree item for `root`, once its scan has finished. */
async function rootItem(kdUda: KdUdaApi, root: string): Promise<{ node: DatasetNode; item: vscode.TreeItem }> {
  return poll(`the Datasets view to show ${root}`, () => {
    const node = kdUda.datasets.tree.getChildren().find((candidate) => candidate.root === root);
    if (!node) return undefined;
    const item = kdUda.datasets.tree.getTreeItem(node);
    return String(item.description).includes('scanning') ? undefined : { node, item };
  });
}

function childItems(kdUda: KdUdaApi, node: DatasetNode): Map<string, vscode.TreeItem> {
  return new Map(
    kdUda.datasets.tree.getChildren(node).map((child) => {
      const item = kdUda.datasets.tree.getTreeItem(child);
      return [labelText(item), item];
    }),
  );
}

describe('Datasets view', function () {
  this.timeout(60_000);
  let scratch: string;
  let kdUda: KdUdaApi;

  before(async () => {
    kdUda = await api();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-it-'));
  });

  after(async () => {
    await vscode.workspace.getConfiguration('kdUda').update('datasets', undefined, vscode.ConfigurationTarget.Workspace);
    await rm(scratch, { recursive: true, force: true });
  });

  it('shows a root from the kdUda.datasets setting with domain and class counts', async () => {
    const root = path.join(scratch, 'office');
    await createImageTree(root, { amazon: { bike: 3, 'desk lamp': 2 }, webcam: { bike: 1, 'desk lamp': 4 } }, { layout: 'office31' });
    await vscode.workspace.getConfiguration('kdUda').update('datasets', [root], vscode.ConfigurationTarget.Workspace);

    const { node, item } = await rootItem(kdUda, root);
    assert.equal(labelText(item), 'office');
    assert.equal(item.description, 'Office-31 · 2 domains · 10 images');

    const domains = childItems(kdUda, node);
    assert.deepEqual([...domains.keys()], ['amazon', 'webcam']);
    assert.equal(domains.get('amazon')?.description, '5 images');
    assert.equal(domains.get('webcam')?.description, '5 images');

    const webcam = kdUda.datasets.tree.getChildren(node).find((child) => child.kind === 'domain' && child.domain === 'webcam')!;
    const classes = childItems(kdUda, webcam);
    assert.equal(classes.get('bike')?.description, '1 image');
    assert.equal(classes.get('desk lamp')?.description, '4 images');
  });

  it('adds the data.root of a *.kdexp.json in the workspace, and flags classes missing from a domain', async () => {
    const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(workspace, 'the integration tests need a workspace folder');
    const root = path.join(scratch, 'digits');
    await createImageTree(root, { mnist: { '0': 2, '1': 2, '2': 1 }, 'font-digits': { '0': 1, '1': 1 } });
    const experiment = await writeExperiment(workspace, 'it-digits', {
      data: { root, source: 'mnist', targets: ['font-digits'] },
      method: { name: 'mt-mtda' },
    });
    try {
      const { node, item } = await rootItem(kdUda, root);
      assert.match(String(item.description), /ImageFolder · 2 domains · 7 images/);
      const fonts = childItems(kdUda, node).get('font-digits');
      assert.ok(fonts, 'domain font-digits is listed');
      assert.ok(fonts.iconPath instanceof vscode.ThemeIcon && fonts.iconPath.id === 'warning', 'a domain lacking a class carries a warning icon');
      const tooltip = tooltipText(fonts)
        .replace(/&nbsp;/g, ' ')
        .replace(/\\(.)/g, '$1');
      assert.match(tooltip, /lacks 1 class .*"2"/, 'the warning names the missing class');
    } finally {
      await rm(experiment, { force: true });
    }
  });

  it('warns on a domain holding a file counted as an image that is none by its first bytes, naming it', async () => {
    const root = path.join(scratch, 'mislabelled');
    await createImageTree(root, { photos: { cat: 2, dog: 2 }, sketches: { cat: 2, dog: 2 } });
    await writeFile(path.join(root, 'sketches', 'dog', 'error-page.png'), '<html>404 Not Found</html>');
    await vscode.workspace.getConfiguration('kdUda').update('datasets', [root], vscode.ConfigurationTarget.Workspace);

    const { node } = await rootItem(kdUda, root);
    const sketches = await poll('a warning on the domain with the undecodable file', () => {
      const item = childItems(kdUda, node).get('sketches');
      return item?.iconPath instanceof vscode.ThemeIcon && item.iconPath.id === 'warning' ? item : undefined;
    });
    const tooltip = tooltipText(sketches)
      .replace(/&nbsp;/g, ' ')
      .replace(/\\(.)/g, '$1');
    assert.match(tooltip, /1 file counted as an image is not PNG.*error-page\.png/);
    const photos = childItems(kdUda, node).get('photos');
    assert.ok(!(photos?.iconPath instanceof vscode.ThemeIcon && photos.iconPath.id === 'warning'), 'the clean domain carries no warning');
  });

  it('updates counts when images are added on disk, one rescan for a burst of files', async () => {
    const root = path.join(scratch, 'live');
    await createImageTree(root, { photos: { cat: 2, dog: 2 } });
    await vscode.workspace.getConfiguration('kdUda').update('datasets', [root], vscode.ConfigurationTarget.Workspace);
    const { item } = await rootItem(kdUda, root);
    assert.match(String(item.description), /· 4 images$/);

    let scans = 0;
    const counting = kdUda.datasets.store.onDidChange((changed) => {
      if (changed === root && kdUda.datasets.store.get(root)?.scanning) scans++;
    });
    try {
      for (let i = 0; i < 50; i++) await writeFile(path.join(root, 'photos', 'cat', `new-${i}.png`), makeImage(0, 1000 + i));
      await poll('the tree to count 54 images', () => {
        const node = kdUda.datasets.tree.getChildren().find((candidate) => candidate.root === root);
        return node && String(kdUda.datasets.tree.getTreeItem(node).description).endsWith('· 54 images');
      });
      assert.ok(scans >= 1 && scans <= 3, `50 files written in a burst caused ${scans} rescans`);
    } finally {
      counting.dispose();
    }
  });

  it('opens the dataset panel from the Show Dataset command', async () => {
    const root = path.join(scratch, 'live');
    await vscode.commands.executeCommand('kdUda.showDataset', root);
    const tab = await poll('a Dataset: live tab', () =>
      vscode.window.tabGroups.all.flatMap((group) => group.tabs).find((candidate) => candidate.label === 'Dataset: live'),
    );
    assert.ok(tab.input instanceof vscode.TabInputWebview, 'the tab is a webview');
    assert.match(tab.input.viewType, /kdUda\.datasetPanel$/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
