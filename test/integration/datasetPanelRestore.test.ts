import * as assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import type { DatasetStore } from '../../src/host/datasetsView/datasetStore';
import { DatasetPanel } from '../../src/host/panels/datasetPanel';
import { fakeContext, FakePanel, recordingOutput } from './fakePanel';

/**
 * A dataset panel's root becomes a resource root its webview may load any file under, and on a
 * reload it comes from the webview's saved state: only a known dataset root is restored.
 */
describe('restoring the dataset panel', () => {
  const known = path.join(path.sep, 'data', 'office31');
  const store = {
    onDidChange: () => new vscode.Disposable(() => undefined),
    ensure: () => undefined,
    get: () => undefined,
    shownSummary: () => undefined,
    scanning: () => true,
    affects: () => false,
    rescan: () => Promise.resolve(),
  } as unknown as DatasetStore;

  async function restore(state: unknown) {
    const { output, lines } = recordingOutput();
    const fake = new FakePanel();
    await DatasetPanel.serializer({ context: fakeContext(), store, output }, { list: () => Promise.resolve([known]) }).deserializeWebviewPanel(
      fake.panel,
      state,
    );
    return { fake, lines };
  }

  it('refuses a root that is not a dataset root, before the webview may load from it', async () => {
    for (const root of ['/', path.join(path.sep, 'home', 'me'), path.join(known, '..')]) {
      const { fake, lines } = await restore({ root });
      assert.equal(fake.disposed, true, root);
      assert.equal(fake.webview.options.localResourceRoots, undefined, 'no resource root was set');
      assert.deepEqual(lines, [`warn Dataset panel not restored: ${root} is not one of the dataset roots (kdUda.datasets, the experiment files' data.root)`]);
    }
  });

  it('restores a known root', async () => {
    const { fake, lines } = await restore({ root: `${known}${path.sep}` });
    assert.equal(fake.disposed, false);
    assert.deepEqual(lines, []);
    assert.ok(
      fake.webview.options.localResourceRoots?.some((uri) => uri.fsPath === known),
      'the root is a resource root',
    );
    fake.dispose();
  });
});
