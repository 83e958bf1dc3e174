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

  it('puts scan problems in the Problems panel on the folder or file each concerns, and clears them once fixed or the root is dropped', async () => {
    const root = path.join(scratch, 'problems');
    await createImageTree(root, { mnist: { '0': 2, '1': 2, '2': 2, '3': 2 }, broken: { '0': 2, '1': 2, '2': 0 } });
    const stray = path.join(root, 'broken', 'readme.txt');
    await writeFile(stray, 'notes');
    await vscode.workspace.getConfiguration('kdUda').update('datasets', [root], vscode.ConfigurationTarget.Workspace);
    const datasetProblems = (file: string) => vscode.languages.getDiagnostics(vscode.Uri.file(file)).filter((each) => each.source === 'KD-UDA datasets');
    const broken = path.join(root, 'broken');
    const onDomain = await poll('the missing class on the domain folder', () => {
      const found = datasetProblems(broken);
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual(
      onDomain.map((each) => each.message),
      ['Domain "broken" lacks 1 class that other domains have (4 in all): "3".'],
    );
    assert.equal(onDomain[0].severity, vscode.DiagnosticSeverity.Warning);
    assert.deepEqual(
      datasetProblems(path.join(broken, '2')).map((each) => each.message),
      ['Domain "broken": class "2" has no images.'],
    );
    assert.deepEqual(
      datasetProblems(stray).map((each) => each.message),
      ['Domain "broken": 1 file ignored where only class folders belong: "readme.txt".'],
    );
    assert.deepEqual(datasetProblems(path.join(root, 'mnist')), [], 'the clean domain has none');
    const { item } = await rootItem(kdUda, root);
    assert.doesNotMatch(String(item.description), /warnings/, 'a root with a clean domain is not marked as a whole');

    await rm(stray);
    await poll('the stray file’s problem to go with the rescan', () => datasetProblems(stray).length === 0);
    assert.equal(datasetProblems(broken).length, 1, 'the rest stays');

    await vscode.workspace.getConfiguration('kdUda').update('datasets', [], vscode.ConfigurationTarget.Workspace);
    await poll('the dropped root’s problems to go', () => datasetProblems(broken).length === 0 && datasetProblems(path.join(broken, '2')).length === 0);
  });

  it('marks a root whose domains all warn', async () => {
    const root = path.join(scratch, 'all-warn');
    await createImageTree(root, { photos: { cat: 2, dog: 0 }, sketches: { cat: 2, dog: 0 } });
    await vscode.workspace.getConfiguration('kdUda').update('datasets', [root], vscode.ConfigurationTarget.Workspace);
    const { item } = await rootItem(kdUda, root);
    assert.equal(item.description, 'ImageFolder · 2 domains · 4 images · every domain has warnings');
    assert.ok(item.iconPath instanceof vscode.ThemeIcon && item.iconPath.id === 'warning', 'the root carries a warning icon');
    const tooltip = tooltipText(item)
      .replace(/&nbsp;/g, ' ')
      .replace(/\\(.)/g, '$1');
    assert.match(tooltip, /Domain "photos": class "dog" has no images.*Domain "sketches": class "dog" has no images/s);
  });

  it('shows a root with its own train/ and test/ folders as their domains, with each split’s count', async () => {
    const root = path.join(scratch, 'split');
    await createImageTree(path.join(root, 'train'), { mnist: { '0': 3, '1': 2 }, svhn: { '0': 2, '1': 2 } });
    await createImageTree(path.join(root, 'test'), { mnist: { '0': 1, '1': 1 }, svhn: { '0': 1, '1': 1 } });
    await vscode.workspace.getConfiguration('kdUda').update('datasets', [root], vscode.ConfigurationTarget.Workspace);
    const { node, item } = await rootItem(kdUda, root);
    assert.equal(item.description, 'ImageFolder · train/test folders · 2 domains · 13 images');
    const domains = childItems(kdUda, node);
    assert.deepEqual([...domains.keys()], ['mnist', 'svhn']);
    assert.equal(domains.get('mnist')?.description, '7 images · 5 train, 2 test');
    const mnist = kdUda.datasets.tree.getChildren(node).find((child) => child.kind === 'domain' && child.domain === 'mnist')!;
    assert.equal(childItems(kdUda, mnist).get('0')?.description, '4 images · 3 train, 1 test');
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
