import * as assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { readCheckpointDiffReport } from '../../src/checkpointDiff/readDiffReport';
import type { KdUdaApi } from '../../src/extension';
import type { CompareCheckpointsResult } from '../../src/host/commands/compareCheckpoints';
import { ResultsPanel } from '../../src/host/panels/resultsPanel';
import type { RunNode } from '../../src/host/runsView/runsTreeProvider';
import type { HostToResultsPanel } from '../../src/protocol/resultsMessages';
import { listRuns } from '../../src/runFolder/listRuns';
import { tinyExperiment, writeExperiment } from '../fixtures/experiments';
import { createImageTree } from '../fixtures/imageTree';
import { poll } from '../harness/poll';
import { fakeContext, FakePanel, recordingOutput } from './fakePanel';
import { labelText } from './treeItemText';

const EXTENSION_ID = 'kd-uda-lab.kd-uda-lab';

function tabLabels(): string[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs.map((tab) => tab.label));
}

/**
 * An online-kd run started from the palette: its branches and their aggregate are models like any
 * other in the Runs view (each with its checkpoint), the Results panel and Compare Checkpoints.
 */
describe('online-kd: branches and their aggregate as models', function () {
  this.timeout(180_000);
  let workspace: string;
  let runsDir: string;
  let dataset: string;
  let file: string;

  before(async function () {
    if (process.env.KDUDA_TEST_TRUST === 'untrusted') this.skip();
    workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    runsDir = path.join(workspace, 'runs');
    dataset = path.join(await mkdtemp(path.join(os.tmpdir(), 'kd-uda-it-online-')), 'data');
    await createImageTree(dataset, { photos: { cat: 6, dog: 6 }, sketches: { cat: 6, dog: 6 } }, { size: 16 });
    file = await writeExperiment(
      workspace,
      'online',
      tinyExperiment({
        name: 'online',
        data: { root: dataset, source: 'photos', targets: ['sketches'], split: { kind: 'all' } },
        method: { name: 'online-kd', branches: 2 },
      }),
    );
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (file) await rm(file, { force: true });
    if (runsDir) await rm(runsDir, { recursive: true, force: true });
    if (dataset) await rm(path.dirname(dataset), { recursive: true, force: true });
  });

  it('shows its branches and aggregate in the Runs view with their checkpoints, in the Results panel, and compares a branch with the aggregate', async () => {
    const api = await vscode.extensions.getExtension<KdUdaApi>(EXTENSION_ID)!.activate();
    const result = await vscode.commands.executeCommand<{ started: boolean; reason?: string }>('kdUda.startRun', vscode.Uri.file(file));
    assert.equal(result.started, true, result.reason);
    const run = await poll(
      'the online-kd run to be done',
      async () => (await listRuns(runsDir)).find((listed) => listed.runId.endsWith('-online') && listed.state === 'done'),
      120_000,
    );

    const node = await poll('the run in the Runs view, done', async () => {
      for (const group of await api.runs.getChildren()) {
        for (const child of await api.runs.getChildren(group))
          if (child.kind === 'run' && child.run.runId === run.runId && child.run.state === 'done') return child;
      }
      return undefined;
    });
    const children = await api.runs.getChildren(node);
    assert.deepEqual(
      children.map((child) => (child.kind === 'model' ? child.model.role : child.kind)),
      ['aggregate', 'branch-1', 'branch-2', 'checkpoints'],
    );
    for (const child of children.slice(0, 3)) assert.match(String(api.runs.getTreeItem(child).description), /^mean \d+\.\d% · sketches \d+\.\d%$/);
    const checkpoints = await api.runs.getChildren(children[3]);
    const checkpointDir = (role: string) => path.join(run.dir, 'checkpoints', role, 'epoch-1');
    assert.deepEqual(
      checkpoints.map((checkpoint: RunNode) => [labelText(api.runs.getTreeItem(checkpoint)), checkpoint.kind === 'checkpoint' && checkpoint.checkpoint.dir]),
      ['aggregate', 'branch-1', 'branch-2'].map((role) => [`${role} · epoch 1`, checkpointDir(role)]),
    );

    await vscode.commands.executeCommand('kdUda.openResults', run.dir);
    await poll('the Results panel of the run', () => tabLabels().includes(`Results: ${run.runId}`));
    // What that panel is sent: a row per model, each with its own cost.
    const fake = new FakePanel();
    await ResultsPanel.serializer({ context: fakeContext(), output: recordingOutput().output }).deserializeWebviewPanel(fake.panel, { runDir: run.dir });
    fake.send({ type: 'ready' });
    const snapshot = await poll('a snapshot of the run', () =>
      (fake.posted as HostToResultsPanel[]).find((message) => message.type === 'snapshot' && message.state.rows.length > 0),
    );
    assert.ok(snapshot.type === 'snapshot');
    const rows = new Map(snapshot.state.rows.map((row) => [row.role, row]));
    assert.deepEqual([...rows.keys()].sort(), ['aggregate', 'branch-1', 'branch-2']);
    assert.equal(rows.get('branch-1')!.parameters, rows.get('branch-2')!.parameters);
    assert.ok(rows.get('branch-1')!.parameters! < rows.get('aggregate')!.parameters!, 'a branch costs less than the whole net');
    assert.ok(
      ['branch-1.ce', 'branch-2.targetKd', 'aggregate.ce'].every((term) => term in snapshot.state.history[0].losses),
      'each term is a loss curve',
    );
    fake.dispose();

    const compared = await vscode.commands.executeCommand<CompareCheckpointsResult>('kdUda.compareCheckpoints', run.dir, {
      a: checkpointDir('branch-1'),
      b: checkpointDir('aggregate'),
    });
    assert.equal(compared.opened, true, compared.opened ? undefined : compared.reason);
    const report = await readCheckpointDiffReport(compared.opened ? compared.reportFile : '');
    assert.deepEqual([report.a.role, report.b.role], ['branch-1', 'aggregate']);
    assert.equal(report.architecture.same, false);
    await poll('the Checkpoint Diff panel', () => tabLabels().includes('Diff: branch-1-epoch-1 ↔ aggregate-epoch-1'));
  });
});
