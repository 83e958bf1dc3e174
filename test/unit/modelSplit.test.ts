import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Experiment } from '../../src/experiment/experiment';
import { validateExperimentText } from '../../src/experiment/validateExperiment';
import { readLatestJson, readMetaJson, readStatusJson } from '../../src/runFolder/readRunFiles';
import { RUN_FILES } from '../../src/runFolder/runFolderFormat';
import { fileSaveHandler } from '../../src/trainer/checkpoints/fileModelIO';
import { startBackend } from '../../src/trainer/cli/startBackend';
import { startTraining } from '../../src/trainer/cli/train';
import { createMethod } from '../../src/trainer/methods/createMethod';
import { buildSavedNet, loadSavedBackbone } from '../../src/trainer/models/savedBackbone';
import type { Learner } from '../../src/trainer/training/learner';
import { writeExperiment } from '../fixtures/experiments';
import { createImageTree } from '../fixtures/imageTree';

// Every architecture in three parts, trunk -> adaptation features -> head -> logits, with each
// learner's discriminator reading the adaptation features; the discriminator presets; and an
// older run folder (cut where the linear head began, batch norm in its discriminator) resuming.

let root: string;
const quiet = () => undefined;

function experimentOf(fields: Record<string, unknown>): Experiment {
  const text = JSON.stringify({ data: { root: '/data', source: 's', targets: ['t'] }, method: { name: 'dann' }, ...fields });
  const validated = validateExperimentText(text, 'split.kdexp.json');
  assert.ok(validated.ok, JSON.stringify(!validated.ok && validated.problems));
  return validated.experiment;
}

function learnerOf(fields: Record<string, unknown>, inputShape: [number, number, number] = [28, 28, 3]): Learner {
  return createMethod({ experiment: experimentOf(fields), shape: { inputShape, classes: 10 }, targets: ['t'] }).learners[0];
}

function layerSummary(model: tfl.LayersModel): string[] {
  return model.layers.slice(1).map((layer) => {
    const units = (layer.getConfig() as { units?: number; rate?: number }).units ?? (layer.getConfig() as { rate?: number }).rate;
    return `${layer.getClassName()}${units === undefined ? '' : `(${units})`}`;
  });
}

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-split-'));
  await startBackend('wasm', quiet);
});
after(() => rm(root, { recursive: true, force: true }));

describe('models in three parts', () => {
  const cases: [string, Record<string, unknown>, [number, number, number], string, number][] = [
    ['lenet5 by default: the conv features', { architecture: 'lenet5' }, [28, 28, 3], 'flatten', 400],
    ['lenet5 cut after fc1', { architecture: 'lenet5', adaptAt: 'fc1' }, [28, 28, 3], 'fc1', 120],
    ['lenet5 cut after fc2 (where the discriminator read before)', { architecture: 'lenet5', adaptAt: 'fc2' }, [28, 28, 3], 'fc2', 84],
    ['resnet-small: the pooled features', { architecture: 'resnet-small', width: 0.25 }, [16, 16, 3], 'pool', 32],
    ['resnet-wide: the pooled features', { architecture: 'resnet-wide', width: 0.25, depth: 1 }, [16, 16, 3], 'pool', 64],
  ];
  for (const [title, student, inputShape, adaptAt, size] of cases) {
    it(title, () => {
      const learner = learnerOf({ student }, inputShape);
      const { net } = learner;
      assert.equal(net.adaptAt, adaptAt);
      assert.equal(net.adaptationSize, size);
      assert.deepEqual(net.trunk.outputs[0].shape, [null, size]);
      assert.deepEqual(net.head.inputs[0].shape, [null, size]);
      assert.deepEqual(learner.discriminator!.inputs[0].shape, [null, size], 'the discriminator reads the adaptation features');
      const trunkWeights = new Set(net.trunk.trainableWeights.map((weight) => weight.name));
      assert.ok(
        net.head.trainableWeights.every((weight) => !trunkWeights.has(weight.name)),
        'trunk and head share no weight',
      );
      const logits = tf.tidy(() => net.head.apply(net.trunk.apply(tf.zeros([2, ...inputShape]))) as tf.Tensor);
      assert.deepEqual(logits.shape, [2, 10]);
      logits.dispose();
    });
  }

  it('keeps the dense layers in the lenet5 head by default', () => {
    const { net } = learnerOf({ student: { architecture: 'lenet5' } });
    assert.deepEqual(layerSummary(net.head), ['Dense(120)', 'Dense(84)', 'Dense(10)']);
  });

  it('refuses a layer an architecture cannot be cut at, before anything is built', () => {
    const validated = validateExperimentText(
      JSON.stringify({ data: { root: '/d', source: 's', targets: ['t'] }, method: { name: 'dann' }, student: { architecture: 'lenet5', adaptAt: 'conv2' } }),
      'x.kdexp.json',
    );
    assert.equal(validated.ok, false);
    assert.deepEqual(!validated.ok && validated.problems.map((problem) => [problem.path, problem.message]), [
      ['student.adaptAt', 'lenet5 has no adaptation layer "conv2"; it can be cut at flatten, fc1, fc2'],
    ]);
  });

  it('cuts a saved backbone before its feature layer into a non-linear head that keeps the saved weights', async () => {
    const saved = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: 3, activation: 'relu', name: 'c1' }),
        tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }),
        tfl.layers.dense({ units: 5, activation: 'relu', name: 'bottleneck' }),
        tfl.layers.dense({ units: 7, activation: 'softmax', name: 'predictions' }),
      ],
    });
    const bottleneck = Array.from(saved.getLayer('bottleneck').getWeights()[0].dataSync());
    await saved.save(fileSaveHandler(path.join(root, 'saved')));
    saved.dispose();
    const backbone = await loadSavedBackbone(path.join(root, 'saved', 'model.json'), 'bottleneck');
    try {
      const linear = buildSavedNet(backbone, 3, undefined);
      assert.equal(linear.adaptAt, 'bottleneck');
      assert.deepEqual(layerSummary(linear.head), ['Dense(3)']);

      const net = buildSavedNet(backbone, 3, 'avg_pool');
      assert.equal(net.adaptationSize, 4);
      assert.deepEqual(layerSummary(net.head), ['Dense(5)', 'Dense(3)']);
      assert.deepEqual(Array.from(net.head.getLayer('bottleneck').getWeights()[0].dataSync()), bottleneck);
      assert.equal(
        net.trunk.layers.some((layer) => layer.name === 'bottleneck'),
        false,
      );
      assert.throws(() => buildSavedNet(backbone, 3, 'c1'), /adaptAt "c1" gives \[batch, 10, 10, 4\]; adaptation features are \[batch, features\]/);
    } finally {
      backbone.dispose();
    }
  });
});

describe('domain discriminators', () => {
  const presets: [string, Record<string, unknown>, Record<string, unknown>, string[]][] = [
    ['auto on lenet5 is the DANN paper digit discriminator, no batch norm', {}, { architecture: 'lenet5' }, ['Dense(100)', 'Dense(1)']],
    [
      'auto on a ResNet is the DANN paper Office discriminator',
      {},
      { architecture: 'resnet-small', width: 0.25 },
      ['Dense(1024)', 'Dropout(0.5)', 'Dense(1024)', 'Dropout(0.5)', 'Dense(1)'],
    ],
    [
      'dann-office by name',
      { discriminator: 'dann-office' },
      { architecture: 'lenet5' },
      ['Dense(1024)', 'Dropout(0.5)', 'Dense(1024)', 'Dropout(0.5)', 'Dense(1)'],
    ],
    [
      'authors-resnet: 4096 with a batch norm',
      { discriminator: 'authors-resnet' },
      { architecture: 'lenet5' },
      ['Dense(4096)', 'BatchNormalization', 'Dense(1)'],
    ],
    ['dann-digits by name on a ResNet', { discriminator: 'dann-digits' }, { architecture: 'resnet-small', width: 0.25 }, ['Dense(100)', 'Dense(1)']],
    [
      'a shape of its own',
      { discriminator: { hidden: [32, 16], batchNorm: true, dropout: 0.25 } },
      { architecture: 'lenet5' },
      ['Dense(32)', 'BatchNormalization', 'Dropout(0.25)', 'Dense(16)', 'BatchNormalization', 'Dropout(0.25)', 'Dense(1)'],
    ],
    [
      'the deprecated discriminatorHidden: one hidden layer, then batch norm, as before',
      { discriminatorHidden: 12 },
      { architecture: 'lenet5' },
      ['Dense(12)', 'BatchNormalization', 'Dense(1)'],
    ],
  ];
  for (const [title, method, student, layers] of presets) {
    it(title, () => {
      const learner = learnerOf({ student, method: { name: 'dann', ...method } }, student.architecture === 'lenet5' ? [28, 28, 3] : [16, 16, 3]);
      assert.deepEqual(layerSummary(learner.discriminator!), layers);
    });
  }

  it("applies the discriminator's own weight decay to its kernels, the optimiser's to the net's", () => {
    const learner = learnerOf({ method: { name: 'dann', discriminator: { hidden: [8], weightDecay: 0.01 } }, optimizer: { weightDecay: 0.001 } });
    assert.deepEqual(
      learner.decay.map((group) => group.rate),
      [0.001, 0.01],
    );
    assert.deepEqual(
      learner.decay[1].variables.map((variable) => variable.shape),
      [[400, 8], [8], [8, 1], [1]],
    );
  });

  it('refuses both discriminator and discriminatorHidden', () => {
    const validated = validateExperimentText(
      JSON.stringify({ data: { root: '/d', source: 's', targets: ['t'] }, method: { name: 'dann', discriminator: 'dann-digits', discriminatorHidden: 8 } }),
      'x.kdexp.json',
    );
    assert.equal(validated.ok, false);
    assert.match(!validated.ok ? validated.problems[0].message : '', /either discriminator or the deprecated discriminatorHidden/);
  });
});

describe('a run folder from before the split', () => {
  it('resumes cut where its linear head began, with the discriminator its checkpoint holds, and records the split', async () => {
    const dataRoot = path.join(root, 'data');
    await createImageTree(dataRoot, { src: { a: 6, b: 6 }, t1: { a: 6, b: 6 } }, { size: 16 });
    const file = await writeExperiment(root, 'old', {
      name: 'old',
      data: { root: dataRoot, source: 'src', targets: ['t1'], imageSize: 16, channels: 3, split: { kind: 'holdout', testFraction: 0.25 } },
      student: { architecture: 'lenet5', adaptAt: 'fc2' },
      method: { name: 'dann', discriminatorHidden: 8 },
      epochs: 1,
      stepsPerEpoch: 3,
      batchSize: 4,
      seed: 1,
      backend: 'wasm',
    });
    const runsDir = path.join(root, 'runs');
    const stop = { requested: true };
    const { runDir, state } = await startTraining({ file, runsDir, stop, echo: quiet });
    assert.equal(state, 'stopped');
    // What an experiment.json of that time held: no schedule setting, no adaptAt, no student term.
    const recorded = JSON.parse(await readFile(path.join(runDir, RUN_FILES.experiment), 'utf8')) as {
      optimizer: { lrSchedule?: unknown };
      student: { adaptAt?: unknown };
      method: { studentAdversarial?: unknown };
    };
    delete recorded.optimizer.lrSchedule;
    delete recorded.student.adaptAt;
    delete recorded.method.studentAdversarial;
    await writeFile(path.join(runDir, RUN_FILES.experiment), JSON.stringify(recorded));

    const resumed = await startTraining({ resume: runDir, stop: { requested: false }, echo: quiet });
    const status = await readStatusJson(runDir);
    assert.equal(resumed.state, 'done', status.error);
    const latest = await readLatestJson(runDir);
    const meta = await readMetaJson(path.join(runDir, latest.roles.student));
    assert.equal(meta.adaptAt, 'fc2');
    assert.equal(meta.adaptationSize, 84);
    const log = await readFile(path.join(runDir, RUN_FILES.log), 'utf8');
    assert.match(log, /student: lenet5 cut after fc2 \(84-d adaptation features\), discriminator 84-8-1 with batch norm/);
  });
});
