import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { defaultCheckpointPair } from '../../src/checkpointDiff/runCheckpoints';
import { validateExperimentText } from '../../src/experiment/validateExperiment';
import { readRunRecord } from '../../src/runComparison/readRunComparison';
import { buildComparisonTable } from '../../src/runComparison/runComparison';
import { readEvents } from '../../src/runFolder/eventLog';
import { listCheckpoints } from '../../src/runFolder/listCheckpoints';
import { readLatestJson, readMetaJson, readResultsJson, readStatusJson } from '../../src/runFolder/readRunFiles';
import { RUN_FILES } from '../../src/runFolder/runFolderFormat';
import type { EpochEvent } from '../../src/runFolder/runEvents';
import { diffCheckpoints } from '../../src/trainer/checkpointDiff/diffCheckpoints';
import { evaluateCheckpoint } from '../../src/trainer/cli/eval';
import { startTraining } from '../../src/trainer/cli/train';
import { buildNet } from '../../src/trainer/training/nets';
import { tinyExperiment, writeExperiment } from '../fixtures/experiments';
import { stepLosses, tensorCountsPerStep, tinyTrainingFolders, wholeAndResumedRuns } from '../fixtures/trainingRuns';

// online-kd trained on the wasm backend through the CLI's entry, into real run folders, on the tiny
// generated dataset (16x16 PNGs, two classes, a source and two targets): its branches and their
// aggregate are models like any other (evaluated, checkpointed, costed, resumed).

let root: string;
let dataRoot: string;
let runsDir: string;
const quiet = () => undefined;
const ROLES = ['aggregate', 'branch-1', 'branch-2', 'branch-3'];

function writeOnlineExperiment(name: string, fields: Record<string, unknown> = {}, method: Record<string, unknown> = {}): Promise<string> {
  return writeExperiment(
    root,
    name,
    tinyExperiment({
      name,
      data: { root: dataRoot, source: 'src', targets: ['t1', 't2'], split: { kind: 'holdout', testFraction: 0.25 } },
      method: { name: 'online-kd', temperature: 3, ...method },
      optimizer: { studentLr: 0.02 },
      seed: 5,
      ...fields,
    }),
  );
}

async function epochEvents(runDir: string): Promise<EpochEvent[]> {
  return (await readEvents(path.join(runDir, RUN_FILES.events))).events.flatMap((event) => (event.kind === 'epoch' ? [event] : []));
}

before(async () => {
  ({ root, dataRoot, runsDir } = await tinyTrainingFolders('kd-uda-online-kd-'));
});
after(() => rm(root, { recursive: true, force: true }));

describe('online-kd on wasm', () => {
  it('trains its branches and their aggregate: every term its own finite, falling loss curve; each model evaluated, checkpointed and costed', async () => {
    const file = await writeOnlineExperiment('online', { epochs: 4, stepsPerEpoch: 3 });
    const { runDir, state } = await startTraining({ file, runsDir, stop: { requested: false }, echo: quiet });
    assert.equal(state, 'done', (await readStatusJson(runDir)).error);
    const epochs = await epochEvents(runDir);
    assert.equal(epochs.length, 4);
    const terms = ['aggregate.ce', ...[1, 2, 3].flatMap((branch) => ['ce', 'sourceKd', 'targetKd', 'dann'].map((term) => `branch-${branch}.${term}`))];
    assert.deepEqual(Object.keys(epochs[0].losses).sort(), terms.sort());
    for (const epoch of epochs) for (const [term, value] of Object.entries(epoch.losses)) assert.ok(Number.isFinite(value), `${term} = ${value}`);
    const supervised = (epoch: EpochEvent) => terms.filter((term) => term.endsWith('.ce')).reduce((sum, term) => sum + epoch.losses[term], 0);
    assert.ok(supervised(epochs[3]) < supervised(epochs[0]), `cross-entropy fell: ${supervised(epochs[0])} -> ${supervised(epochs[3])}`);

    const results = await readResultsJson(runDir);
    assert.equal(results.method, 'online-kd');
    assert.deepEqual(Object.keys(results.headline.accuracy).sort(), ROLES);
    assert.deepEqual(Object.keys(results.history[0].accuracy).sort(), ROLES);
    const latest = await readLatestJson(runDir);
    assert.deepEqual(Object.keys(latest.roles).sort(), ROLES);
    // A branch costs one LeNet-5 (the shared layers and its own), the aggregate the whole net with its gate.
    const student = buildNet({ architecture: 'lenet5', width: 0.5 }, { inputShape: [16, 16, 3], classes: 2 }, 1);
    const lenetParams = student.trunk.countParams() + student.head.countParams();
    for (const branch of ['branch-1', 'branch-2', 'branch-3']) {
      assert.equal(results.costs[branch].parameters, lenetParams, branch);
      assert.ok(results.costs[branch].parameters < results.costs.aggregate.parameters);
      assert.ok(results.costs[branch].macsPerImage < results.costs.aggregate.macsPerImage);
      assert.ok(results.costs[branch].checkpointBytes! < results.costs.aggregate.checkpointBytes!);
    }
    assert.equal(results.costs['branch-1'].macsPerImage, results.costs['branch-3'].macsPerImage);
    // Every checkpoint is a model deployable alone: it evaluates to what the run reported.
    for (const role of ROLES) {
      const dir = path.join(runDir, latest.roles[role]);
      const meta = await readMetaJson(dir);
      assert.equal(meta.role, role);
      const score = await evaluateCheckpoint(dir, dataRoot, 't1');
      assert.equal(score.accuracy, results.headline.accuracy[role].t1, role);
    }
    assert.equal((await readMetaJson(path.join(runDir, latest.roles['branch-2']))).adaptAt, 'flatten_b2');
    // The checkpoint diff compares a branch with the aggregate (its default pair): predictions, representations, costs.
    assert.deepEqual(
      defaultCheckpointPair(await listCheckpoints(runDir))?.map((entry) => entry.role),
      ['branch-1', 'aggregate'],
    );
    const diff = await diffCheckpoints(path.join(runDir, latest.roles['branch-1']), path.join(runDir, latest.roles.aggregate), quiet, { samplePerDomain: 8 });
    assert.equal(diff.a.role, 'branch-1');
    assert.equal(diff.b.role, 'aggregate');
    assert.equal(diff.b.cost.parameters, results.costs.aggregate.parameters);
    assert.deepEqual(
      diff.domains.map((domain) => [domain.name, domain.a.accuracy, domain.b.accuracy]),
      ['t1', 't2', 'source-holdout'].map((domain) => [domain, results.headline.accuracy['branch-1'][domain], results.headline.accuracy.aggregate[domain]]),
    );
    assert.ok(diff.representations);
    // Compare Runs reads every model of the run, with its own accuracy and cost columns.
    const record = await readRunRecord(runDir);
    assert.deepEqual(
      record.models.map((model) => [model.role, model.parameters]).sort(),
      ROLES.map((role) => [role, results.costs[role].parameters]),
    );
    const columns = buildComparisonTable([record]).columns.map((column) => column.key);
    for (const role of ROLES) for (const key of [`acc.${role}.mean`, `params.${role}`, `macs.${role}`]) assert.ok(columns.includes(key), key);
  });

  it('a stopped run resumes to the numbers of a run never stopped', async () => {
    const file = await writeOnlineExperiment('online-resume', { epochs: 2, stepsPerEpoch: 3 });
    const { whole, resumed } = await wholeAndResumedRuns(file, runsDir);
    assert.deepEqual(await stepLosses(resumed), await stepLosses(whole));
    const [a, b] = [await readResultsJson(whole), await readResultsJson(resumed)];
    assert.deepEqual(b.history, a.history);
    assert.deepEqual(b.headline, a.headline);
  });

  it('holds as many tensors after every step, from the second epoch on (after the first checkpoint)', async () => {
    const file = await writeOnlineExperiment('online-memory', { epochs: 3, stepsPerEpoch: 3 });
    const counts = await tensorCountsPerStep(file, runsDir, 3);
    assert.equal(new Set(counts[1]).size, 1, `tensor counts per step: ${JSON.stringify(counts)}`);
    assert.equal(new Set([...counts[2], ...counts[3]]).size, 1, `tensor counts per step: ${JSON.stringify(counts)}`);
  });

  it('branches a ResNet student after a stage and adapts each branch with MMD instead of a discriminator', async () => {
    const file = await writeOnlineExperiment(
      'online-mmd',
      { epochs: 1, stepsPerEpoch: 1, student: { architecture: 'resnet-small', width: 0.25 } },
      { udaLoss: 'mmd', branches: 2, branchAt: 'stage1' },
    );
    const { runDir, state } = await startTraining({ file, runsDir, stop: { requested: false }, echo: quiet });
    assert.equal(state, 'done', (await readStatusJson(runDir)).error);
    const [epoch] = await epochEvents(runDir);
    assert.deepEqual(Object.keys(epoch.losses).sort(), [
      'aggregate.ce',
      'branch-1.ce',
      'branch-1.mmd',
      'branch-1.sourceKd',
      'branch-1.targetKd',
      'branch-2.ce',
      'branch-2.mmd',
      'branch-2.sourceKd',
      'branch-2.targetKd',
    ]);
    const results = await readResultsJson(runDir);
    assert.deepEqual(Object.keys(results.costs).sort(), ['aggregate', 'branch-1', 'branch-2']);
    const latest = await readLatestJson(runDir);
    assert.match((await readMetaJson(path.join(runDir, latest.roles.aggregate))).architecture, /^resnet-small, 2 branches after stage1_block1_relu/);
  });
});

describe('online-kd experiments', () => {
  const problemsOf = (fields: Record<string, unknown>) => {
    const result = validateExperimentText(JSON.stringify({ data: { root: '/d', source: 's', targets: ['t'] }, ...fields }), 'online.kdexp.json');
    return result.ok ? [] : result.problems.map((problem) => `${problem.path}: ${problem.message}`);
  };

  it('default to 3 branches, split where the architecture says', () => {
    const result = validateExperimentText(JSON.stringify({ data: { root: '/d', source: 's', targets: ['t'] }, method: { name: 'online-kd' } }), 'o.kdexp.json');
    assert.ok(result.ok);
    assert.equal(result.experiment.method.branches, 3);
    assert.equal(result.experiment.method.branchAt, undefined);
  });

  it('refuse a branch point the student does not have, or one at or after its adaptation layer, naming the ones it has', () => {
    assert.deepEqual(problemsOf({ method: { name: 'online-kd', branchAt: 'conv9' } }), [
      'method.branchAt: the lenet5 student (adaptation layer flatten) cannot branch after "conv9"; it can branch after conv1, pool1, conv2, pool2 (a layer before its adaptation layer)',
    ]);
    assert.deepEqual(problemsOf({ student: { architecture: 'lenet5', adaptAt: 'fc1' }, method: { name: 'online-kd', branchAt: 'fc1' } }), [
      'method.branchAt: the lenet5 student (adaptation layer fc1) cannot branch after "fc1"; it can branch after conv1, pool1, conv2, pool2, flatten (a layer before its adaptation layer)',
    ]);
    assert.deepEqual(problemsOf({ student: { architecture: 'resnet-small' }, method: { name: 'online-kd', branchAt: 'pool1' } }), [
      'method.branchAt: the resnet-small student (adaptation layer pool) cannot branch after "pool1"; it can branch after stem, stage1, stage2, stage3 (a layer before its adaptation layer)',
    ]);
    assert.deepEqual(problemsOf({ student: { architecture: 'resnet-small' }, method: { name: 'online-kd', branchAt: 'stage2' } }), []);
  });

  it('refuse one branch, a saved student and a warm start; another method ignores branchAt', () => {
    assert.deepEqual(problemsOf({ method: { name: 'online-kd', branches: 1 } }), ['method.branches: must be >= 2']);
    assert.deepEqual(problemsOf({ student: { architecture: 'saved', path: 'm/model.json' }, method: { name: 'online-kd' } }), [
      'student.architecture: online-kd builds the student as branches of a named architecture (lenet5, resnet-small, resnet-wide); a saved model cannot be branched',
    ]);
    assert.deepEqual(problemsOf({ student: { architecture: 'lenet5', warmStart: 'runs/x' }, method: { name: 'online-kd' } }), [
      'student.warmStart: online-kd trains its branches from scratch in one stage; it takes no warm start',
    ]);
    assert.deepEqual(problemsOf({ method: { name: 'dann', branchAt: 'pool1' } }), []);
  });
});
