/**
 * Runs on a real one-node Slurm (slurmctld, slurmd and munge started by the integration harness,
 * which hands the extension host its SLURM_CONF as a cluster's login node would): Start Run,
 * Stop Run, Resume Run and Show Trainer Log through the palette's commands, sweeps as job arrays,
 * Slurm's refusals and jobs that die, all followed through the run folders.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { KdUdaApi } from '../../src/extension';
import type { StartRunResult } from '../../src/host/commands/startRun';
import type { RunNode } from '../../src/host/runsView/runsTreeProvider';
import { groupRuns } from '../../src/runComparison/groupRuns';
import { readRunRecord } from '../../src/runComparison/readRunComparison';
import { buildComparisonTable } from '../../src/runComparison/runComparison';
import { listRuns, type RunListing } from '../../src/runFolder/listRuns';
import { readResultsJson, readStatusJson } from '../../src/runFolder/readRunFiles';
import { tinyExperiment, writeExperiment } from '../fixtures/experiments';
import { createImageTree } from '../fixtures/imageTree';
import { poll } from '../harness/poll';
import { errorNotifications } from './errorNotifications';

function scontrol(...args: string[]): string {
  const result = spawnSync('scontrol', args, { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
}

describe('Runs on a real Slurm cluster', function () {
  this.timeout(300_000);
  const partition = process.env.KDUDA_TEST_SLURM_PARTITION ?? '';
  let api: KdUdaApi;
  let workspace: string;
  let dataset: string;
  let runsDir: string;
  const experiments: string[] = [];

  before(async function () {
    if (process.env.KDUDA_TEST_TRUST === 'untrusted' || !process.env.SLURM_CONF) this.skip();
    api = (await vscode.extensions.getExtension<KdUdaApi>('kd-uda-lab.kd-uda-lab')!.activate())!;
    workspace = vscode.workspace.workspaceFolders![0].uri.fsPath;
    runsDir = path.join(workspace, 'runs');
    dataset = path.join(await mkdtemp(path.join(os.tmpdir(), 'kd-uda-it-slurm-')), 'data');
    await createImageTree(dataset, { photos: { cat: 6, dog: 6 }, sketches: { cat: 6, dog: 6 } }, { size: 16 });
  });

  after(async () => {
    for (const file of experiments) await rm(file, { force: true });
    if (runsDir) await rm(runsDir, { recursive: true, force: true });
    if (dataset) await rm(path.dirname(dataset), { recursive: true, force: true });
  });

  /** An experiment executed on the test cluster: tiny KD-STDA unless the test says otherwise. */
  async function experiment(name: string, fields: Record<string, unknown> = {}, executor: Record<string, unknown> = {}): Promise<vscode.Uri> {
    const file = await writeExperiment(workspace, name, {
      ...tinyExperiment({ name, data: { root: dataset, source: 'photos', targets: ['sketches'], split: { kind: 'all' } }, ...fields }),
      executor: { kind: 'slurm', partition, time: '10', nodePath: process.execPath, ...executor },
    });
    experiments.push(file);
    return vscode.Uri.file(file);
  }

  async function runOf(name: string, state?: string, timeoutMs = 120_000): Promise<RunListing> {
    return poll(
      `a run of ${name}${state ? ` in state ${state}` : ''}`,
      async () => (await listRuns(runsDir)).find((run) => run.runId.endsWith(`-${name}`) && (!state || run.state === state)),
      timeoutMs,
    );
  }

  /** The Runs view's node and description of a run, as the user sees them. */
  async function shownInTree(runDir: string): Promise<{ node: Extract<RunNode, { kind: 'run' }>; description: string } | undefined> {
    const walk = async (nodes: RunNode[]): Promise<Extract<RunNode, { kind: 'run' }> | undefined> => {
      for (const node of nodes) {
        if (node.kind === 'run' && node.run.dir === runDir) return node;
        if (node.kind === 'experiment' || node.kind === 'sweep') {
          const found = await walk(await api.runs.getChildren(node));
          if (found) return found;
        }
      }
      return undefined;
    };
    const node = await walk(await api.runs.getChildren());
    return node && { node, description: String(api.runs.getTreeItem(node).description) };
  }

  async function stepsIn(runDir: string): Promise<boolean> {
    return (await readFile(path.join(runDir, 'events.jsonl'), 'utf8').catch(() => '')).includes('"kind":"step"');
  }

  it('a tiny run started from the palette reaches done through Slurm, with its job id and log in the Runs view', async () => {
    const result = await vscode.commands.executeCommand<StartRunResult>('kdUda.startRun', await experiment('slurm-tiny'));
    assert.ok(result.started, 'reason' in result ? result.reason : '');
    assert.match(result.jobId ?? '', /^\d+$/);
    const [runDir] = result.runDirs!;
    assert.deepEqual((await readStatusJson(runDir)).slurm, { jobId: result.jobId, requeues: 0 }, 'status.json names the job');
    await poll('the run to be done', async () => ((await readStatusJson(runDir)).state === 'done' ? true : undefined), 120_000);
    assert.ok(existsSync(path.join(runDir, 'slurm.sbatch')), 'the batch script is kept in the run folder');
    const shown = await poll('the Runs view to list the run as done', async () => {
      const found = await shownInTree(runDir);
      return found?.node.run.state === 'done' ? found : undefined;
    });
    assert.match(String((api.runs.getTreeItem(shown.node).tooltip as string | undefined) ?? ''), new RegExp(`Slurm job ${result.jobId}`));
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('kdUda.showTrainerLog', shown.node);
    assert.equal(path.basename(editor.document.uri.fsPath), `slurm-${result.jobId}.log`, "Show Trainer Log opens the job's log");
    assert.match(editor.document.getText(), /epoch 1\/1/, "the trainer's output is in the job's log");
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Stop Run cancels the job (the trainer checkpoints: stopped), and Resume Run submits a new job that completes it', async () => {
    const result = await vscode.commands.executeCommand<StartRunResult>('kdUda.startRun', await experiment('slurm-long', { epochs: 50, stepsPerEpoch: 50 }));
    assert.ok(result.started, 'reason' in result ? result.reason : '');
    const [runDir] = result.runDirs!;
    await poll('a first training step', async () => ((await stepsIn(runDir)) ? true : undefined), 120_000);
    const running = await poll('the Runs view to show the job running on its node', async () => {
      const found = await shownInTree(runDir);
      return found && /^\d{4}-\d\d-\d\d \d\d:\d\d · running · Slurm job \d+ RUNNING on \S+/.test(found.description) ? found : undefined;
    });
    const stopped = await vscode.commands.executeCommand<{ stopped: number }>('kdUda.stopRun', running.node);
    assert.equal(stopped.stopped, 1);
    await poll('the run to be stopped', async () => ((await readStatusJson(runDir)).state === 'stopped' ? true : undefined), 60_000);
    assert.ok(existsSync(path.join(runDir, 'checkpoints', 'latest.json')), 'a checkpoint was written on cancel');
    const resumed = await vscode.commands.executeCommand<{ started: boolean; jobId?: string; reason?: string }>('kdUda.resumeRun', runDir);
    assert.equal(resumed.started, true, resumed.reason);
    assert.notEqual(resumed.jobId, result.jobId, 'a new job');
    await poll('the resumed run to train again', async () => ((await readStatusJson(runDir)).state === 'running' ? true : undefined), 60_000);
    // Finish it sooner than 2,500 steps: stop again and check the second job's end too.
    await vscode.commands.executeCommand('kdUda.stopRun', (await shownInTree(runDir))!.node);
    await poll('the resumed run to be stopped again', async () => ((await readStatusJson(runDir)).state === 'stopped' ? true : undefined), 60_000);
    assert.equal((await readStatusJson(runDir)).slurm?.jobId, resumed.jobId);
  });

  it('a job with a short time limit and an early signal requeues itself and ends with the results of an unbroken run', async () => {
    const fields = { epochs: 2, stepsPerEpoch: 150 };
    const requeued = await vscode.commands.executeCommand<StartRunResult>(
      'kdUda.startRun',
      await experiment('slurm-requeue', fields, { time: '1', signalSeconds: 50, maxRequeues: 6 }),
    );
    const unbroken = await vscode.commands.executeCommand<StartRunResult>('kdUda.startRun', await experiment('slurm-unbroken', fields));
    assert.ok(requeued.started && unbroken.started, JSON.stringify([requeued, unbroken]));
    const [requeuedDir] = requeued.runDirs!;
    const [unbrokenDir] = unbroken.runDirs!;
    let heldSince: number | undefined;
    await poll(
      'the requeued run to end',
      async () => {
        const status = await readStatusJson(requeuedDir);
        // Slurm holds a requeued job back for 120 s (BeginTime): the test does not wait that out, but
        // gives the node 3 s to finish the job's last batch step (started sooner, slurmd refuses it).
        const held = status.state === 'queued' && (status.slurm?.requeues ?? 0) > 0;
        heldSince = held ? (heldSince ?? Date.now()) : undefined;
        if (held && Date.now() - heldSince! >= 3000) scontrol('update', `JobId=${requeued.jobId}`, 'StartTime=now');
        return status.state === 'done' || status.state === 'failed' ? status : undefined;
      },
      240_000,
      1000,
    );
    await poll('the unbroken run to end', async () => ((await readStatusJson(unbrokenDir)).state === 'done' ? true : undefined), 240_000);
    const status = await readStatusJson(requeuedDir);
    assert.equal(status.state, 'done');
    assert.ok((status.slurm?.requeues ?? 0) >= 1, `requeued at least once: ${JSON.stringify(status)}`);
    const [a, b] = await Promise.all([readResultsJson(unbrokenDir), readResultsJson(requeuedDir)]);
    assert.deepEqual(b.headline, a.headline, 'the same numbers as an unbroken run');
  });

  it('a 2 x 3 sweep is one job array, and its grouped rows give the mean ± std of the six runs', async () => {
    const uri = await experiment('slurm-sweep', { method: { name: 'source-only' }, sweep: { 'optimizer.studentLr': [0.01, 0.05], seed: [0, 1, 2] } });
    const result = await vscode.commands.executeCommand<StartRunResult>('kdUda.startRun', uri);
    assert.ok(result.started, 'reason' in result ? result.reason : '');
    assert.equal(result.runDirs?.length, 6);
    const ids = await Promise.all(result.runDirs.map(async (dir) => (await readStatusJson(dir)).slurm?.jobId));
    assert.deepEqual(
      ids,
      [0, 1, 2, 3, 4, 5].map((task) => `${result.jobId}_${task}`),
      'one job array, a task per run',
    );
    await poll(
      'the six runs to be done',
      async () => ((await Promise.all(result.runDirs!.map((dir) => readStatusJson(dir)))).every((status) => status.state === 'done') ? true : undefined),
      240_000,
    );
    const sweepNode = await poll('the sweep node in the Runs view', async () => {
      for (const experimentNode of await api.runs.getChildren())
        for (const node of await api.runs.getChildren(experimentNode)) if (node.kind === 'sweep' && node.sweepId === result.sweepId) return node;
      return undefined;
    });
    assert.match(String(api.runs.getTreeItem(sweepNode).description), /^6 runs: 6 done$/);
    // Compare Runs' grouping, on the records the panel reads, against the six results.json read here.
    const table = buildComparisonTable(await Promise.all(result.runDirs.map((dir) => readRunRecord(dir))));
    const groups = groupRuns(table);
    assert.equal(groups.length, 2, 'one row per learning rate');
    const column = table.columns.findIndex((candidate) => candidate.key === 'acc.student.mean');
    for (const group of groups) {
      const accuracies = await Promise.all(group.rows.map(async (row) => (await readResultsJson(table.rows[row].runDir)).headline.meanTarget.student));
      const mean = accuracies.reduce((sum, value) => sum + value, 0) / accuracies.length;
      const std = Math.sqrt(accuracies.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (accuracies.length - 1));
      const cell = group.cells[column];
      assert.ok(cell.kind === 'stats' && cell.n === 3, JSON.stringify(cell));
      assert.ok(Math.abs(cell.mean! - mean) < 1e-12 && Math.abs(cell.std! - std) < 1e-12, `${JSON.stringify(cell)} against ${mean} ± ${std}`);
    }
  });

  it("an unknown partition: Slurm's own message, the run failed with it, nothing running", async () => {
    let result: StartRunResult | undefined;
    const notifications = await errorNotifications(async () => {
      result = await vscode.commands.executeCommand<StartRunResult>('kdUda.startRun', await experiment('slurm-nowhere', {}, { partition: 'nowhere' }));
    });
    assert.ok(result && !result.started && 'reason' in result, JSON.stringify(result));
    assert.match(result.reason, /invalid partition/i, "Slurm's own words");
    assert.ok(
      notifications.some((message) => /slurm-nowhere was not submitted to Slurm: .*invalid partition/i.test(message)),
      JSON.stringify(notifications),
    );
    const run = await runOf('slurm-nowhere', 'failed');
    assert.match(run.error ?? '', /invalid partition/i);
  });

  it('a job killed with SIGKILL shows failed, not running', async () => {
    const result = await vscode.commands.executeCommand<StartRunResult>('kdUda.startRun', await experiment('slurm-killed', { epochs: 50, stepsPerEpoch: 50 }));
    assert.ok(result.started, 'reason' in result ? result.reason : '');
    const [runDir] = result.runDirs!;
    await poll('a first training step', async () => ((await stepsIn(runDir)) ? true : undefined), 120_000);
    // As the kernel's out-of-memory killer would: SIGKILL to the trainer, the job's batch step
    // (scancel's KILL reaches it after a SIGTERM, which lets it checkpoint and stop).
    const { pid } = await readStatusJson(runDir);
    process.kill(pid!, 'SIGKILL');
    let last = '';
    const shown = await poll(
      'the killed run to show failed',
      async () => {
        const found = await shownInTree(runDir);
        last = `${found?.description} / ${await readFile(path.join(runDir, 'status.json'), 'utf8')} / ${await readFile(path.join(runDir, 'lock.json'), 'utf8').catch(() => 'no lock')}`;
        return found?.node.run.state === 'failed' ? found : undefined;
      },
      60_000,
    ).catch((error: Error) => assert.fail(`${error.message}: last seen ${last}`));
    assert.match(
      (await readFile(path.join(runDir, 'status.json'), 'utf8')).replace(/\s/g, ''),
      /"state":"running"/,
      'the killed trainer could not record its end',
    );
    assert.match(shown.description, /^\d{4}-\d\d-\d\d \d\d:\d\d · failed: /);
  });
});
