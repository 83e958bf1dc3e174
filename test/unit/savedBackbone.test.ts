import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Experiment } from '../../src/experiment/experiment';
import { validateExperimentDocument, validateExperimentText } from '../../src/experiment/validateExperiment';
import { readExperimentJson, readLatestJson, readResultsJson } from '../../src/runFolder/readRunFiles';
import { RUN_FILES } from '../../src/runFolder/runFolderFormat';
import { fileSaveHandler } from '../../src/trainer/checkpoints/fileModelIO';
import { evaluateCheckpoint } from '../../src/trainer/cli/eval';
import { startBackend } from '../../src/trainer/cli/startBackend';
import { startTraining, UsageError } from '../../src/trainer/cli/train';
import { createMethod } from '../../src/trainer/methods/createMethod';
import { loadSavedBackbone, savedModelProblems } from '../../src/trainer/models/savedBackbone';
import { tinyExperiment, writeExperiment } from '../fixtures/experiments';
import { createImageTree } from '../fixtures/imageTree';
import { stepLosses, trainUntilStopped } from '../fixtures/trainingRuns';

// Architecture "saved": a tiny tfjs layers model (two convolutions on 12x12x3 images), saved to disk
// as tfjs's model.save writes it, becomes the student of real (tiny) runs on the wasm backend.

let root: string;
let dataRoot: string;
let runsDir: string;
const quiet = () => undefined;

/** Saves the tiny backbone into `<root>/<folder>/model.json` and returns the first layer's kernel. */
async function saveBackbone(folder: string): Promise<number[]> {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: 3, activation: 'relu', name: 'c1' }),
      tfl.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu', name: 'c2' }),
    ],
  });
  const kernel = Array.from(model.getLayer('c1').getWeights()[0].dataSync());
  await model.save(fileSaveHandler(path.join(root, folder)));
  model.dispose();
  return kernel;
}

/** An experiment next to the backbones; the student's path is relative to it, as a user writes it. */
function writeSavedExperiment(name: string, student: Record<string, unknown>, overrides: Record<string, unknown> = {}): Promise<string> {
  return writeExperiment(
    root,
    name,
    tinyExperiment({
      name,
      data: { root: dataRoot, source: 'src', targets: ['t1'], imageSize: 12, split: { kind: 'holdout', testFraction: 0.25 } },
      teacher: { architecture: 'lenet5', width: 0.5 },
      student: { architecture: 'saved', ...student },
      optimizer: { teacherLr: 0.01, studentLr: 0.01 },
      epochs: 2,
      seed: 5,
      ...overrides,
    }),
  );
}

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'kd-uda-saved-'));
  dataRoot = path.join(root, 'data');
  runsDir = path.join(root, 'runs');
  const classes = { circle: 6, square: 6 };
  await createImageTree(dataRoot, { src: classes, t1: classes }, { size: 12 });
  await startBackend('wasm', quiet);
});
after(() => rm(root, { recursive: true, force: true }));

describe('a saved backbone', () => {
  it('is cut before a classifier the saved model still ends in, and at its own pooling when it has one', async () => {
    const withHead = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: 3, activation: 'relu', name: 'c1' }),
        tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }),
        tfl.layers.dense({ units: 5, activation: 'softmax', name: 'predictions' }),
      ],
    });
    await withHead.save(fileSaveHandler(path.join(root, 'with-head')));
    withHead.dispose();
    const headed = await loadSavedBackbone(path.join(root, 'with-head', 'model.json'), undefined);
    assert.deepEqual(headed.features.outputs[0].shape, [null, 4], 'the 4-channel map before the 5-way softmax');
    headed.dispose();

    const pooled = tfl.sequential({
      layers: [tfl.layers.conv2d({ inputShape: [12, 12, 3], filters: 3, kernelSize: 3, name: 'c1' }), tfl.layers.globalMaxPooling2d({ name: 'max_pool' })],
    });
    await pooled.save(fileSaveHandler(path.join(root, 'pooled')));
    pooled.dispose();
    const own = await loadSavedBackbone(path.join(root, 'pooled', 'model.json'), undefined);
    assert.equal(own.features.layers[own.features.layers.length - 1].name, 'max_pool', 'its own pooling, not a second one');
    own.dispose();
  });

  it('starts from the saved weights, cut at the default or the named feature layer, one copy per learner', async () => {
    const kernel = await saveBackbone('load');
    const file = await writeSavedExperiment('load', { path: 'load/model.json' });
    const validated = validateExperimentText(await readFile(file, 'utf8'), file);
    assert.ok(validated.ok);
    const experiment: Experiment = validated.experiment;
    const setup = (featureLayer?: string) => loadSavedBackbone(path.join(root, 'load', 'model.json'), featureLayer);

    const tensorsBefore = tf.memory().numTensors;
    (await setup()).dispose();
    assert.equal(tf.memory().numTensors, tensorsBefore, 'disposing a loaded backbone frees all its weights');

    const backbone = await setup();
    const method = createMethod({
      experiment,
      shape: { inputShape: [12, 12, 3], classes: 2 },
      targets: ['t1'],
      backbones: new Map([[experiment.student, backbone]]),
    });
    backbone.dispose();
    const student = method.learners.find((learner) => learner.role === 'student')!;
    assert.equal(student.net.name, 'saved');
    assert.deepEqual(Array.from(student.net.trunk.getLayer('c1').getWeights()[0].dataSync()), kernel);
    // c2's 8x8x6 map, globally average-pooled.
    assert.equal(student.net.adaptationSize, 6);
    const logits = student.net.head.apply(student.net.trunk.apply(tf.zeros([1, 12, 12, 3]))) as tf.Tensor;
    assert.deepEqual(logits.shape, [1, 2]);

    const cut = await setup('c1');
    const first = createMethod({
      experiment,
      shape: { inputShape: [12, 12, 3], classes: 2 },
      targets: ['t1'],
      backbones: new Map([[experiment.student, cut]]),
    });
    const second = createMethod({
      experiment,
      shape: { inputShape: [12, 12, 3], classes: 2 },
      targets: ['t1'],
      backbones: new Map([[experiment.student, cut]]),
    });
    cut.dispose();
    const [a, b] = [first, second].map((m) => m.learners.find((learner) => learner.role === 'student')!.net);
    assert.equal(a.adaptationSize, 4);
    assert.equal(
      a.trunk.layers.some((layer) => layer.name === 'c2'),
      false,
      'the layers after the feature layer are dropped',
    );
    const changed = a.trunk.getLayer('c1');
    changed.setWeights(changed.getWeights().map((weight) => tf.zerosLike(weight)));
    assert.deepEqual(Array.from(b.trunk.getLayer('c1').getWeights()[0].dataSync()), kernel, 'each learner trains its own copy');
  });

  it('trains kd-stda as the student, and its checkpoint evaluates to the reported accuracy without the model file', async () => {
    await saveBackbone('train');
    const file = await writeSavedExperiment('train', { path: 'train/model.json' });
    const { runDir, state } = await startTraining({ file, runsDir, stop: { requested: false }, echo: quiet });
    assert.equal(state, 'done');
    // As the trainer reads it back to resume the run.
    const recorded = validateExperimentDocument(await readExperimentJson(runDir), path.join(runDir, RUN_FILES.experiment));
    assert.ok(recorded.ok);
    assert.equal(recorded.experiment.student.path, path.join(root, 'train', 'model.json'), 'the run records the resolved path');
    const losses = await stepLosses(runDir);
    assert.equal(losses.length, 4);
    for (const step of losses) for (const [term, value] of Object.entries(step)) assert.ok(Number.isFinite(value), `${term} = ${value}`);

    await rm(path.join(root, 'train'), { recursive: true });
    const results = await readResultsJson(runDir);
    const latest = await readLatestJson(runDir);
    const score = await evaluateCheckpoint(path.join(runDir, latest.roles.student), dataRoot, 't1');
    assert.equal(score.accuracy, results.headline.accuracy.student.t1);
  });

  it('resumes from its checkpoint without the model file, on the same numbers as a run never stopped', async () => {
    await saveBackbone('resume');
    const file = await writeSavedExperiment('resume', { path: 'resume/model.json' }, { method: { name: 'source-only', model: 'student' } });
    const whole = await startTraining({ file, runsDir, stop: { requested: false }, echo: quiet });
    const first = await trainUntilStopped(file, runsDir, { epoch: 1, step: 1 });
    assert.equal(first.state, 'stopped');
    await rm(path.join(root, 'resume'), { recursive: true });
    const resumed = await startTraining({ resume: first.runDir, stop: { requested: false }, echo: quiet });
    assert.equal(resumed.state, 'done');
    assert.deepEqual(await stepLosses(first.runDir), await stepLosses(whole.runDir));
  });
});

describe('a bad saved backbone is refused before any work, naming the file and the field', () => {
  const refused = async (file: string, ...patterns: RegExp[]) => {
    await assert.rejects(startTraining({ file, runsDir: path.join(root, 'never'), stop: { requested: false }, echo: quiet }), (error: Error) => {
      assert.ok(error instanceof UsageError, error.stack);
      for (const pattern of patterns) assert.match(error.message, pattern);
      return true;
    });
  };

  it('a missing file', async () => {
    const file = await writeSavedExperiment('missing', { path: 'nowhere/model.json' });
    await refused(file, /missing\.kdexp\.json:\d+:\d+: student\.path: .*nowhere[\\/]model\.json does not exist/);
  });

  it('a graph model, with how to convert it', async () => {
    await mkdir(path.join(root, 'graph'), { recursive: true });
    const graph = {
      format: 'graph-model',
      generatedBy: '2.15.0',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: { node: [{ name: 'x', op: 'Placeholder' }], library: {}, versions: {} },
      weightsManifest: [],
    };
    await writeFile(path.join(root, 'graph', 'model.json'), JSON.stringify(graph));
    const file = await writeSavedExperiment('graph', { path: 'graph/model.json' });
    await refused(file, /student\.path: .*graph[\\/]model\.json: not a tfjs layers model but a graph model.*--output_format tfjs_layers_model/);
  });

  it('an input shape other than the data gives, saying what the model expects', async () => {
    const input = tfl.input({ shape: [10, 10, 1], name: 'gray' });
    const output = tfl.layers.conv2d({ filters: 2, kernelSize: 3, name: 'k' }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    await model.save(fileSaveHandler(path.join(root, 'gray')));
    model.dispose();
    const file = await writeSavedExperiment('shape', { path: 'gray/model.json' });
    await refused(file, /student\.path: .*gray[\\/]model\.json takes 10 x 10 x 1 images, but data\.imageSize and data\.channels give 12 x 12 x 3/);
  });

  it('reads a Keras model as tensorflowjs_converter writes it: any image size where the model leaves it open', async () => {
    // A ResNet-like Keras topology with its layers elided to names; weights are not read by the check.
    const layer = (name: string, className = 'Conv2D', config: Record<string, unknown> = {}) => ({
      name,
      class_name: className,
      config: { name, ...config },
      inbound_nodes: [],
    });
    const names = Array.from({ length: 20 }, (_, index) => `conv${index + 1}`);
    const keras = {
      format: 'layers-model',
      generatedBy: 'keras v2.15.0',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: {
        keras_version: '2.15.0',
        backend: 'tensorflow',
        model_config: {
          class_name: 'Functional',
          config: {
            name: 'resnet',
            layers: [
              layer('input_1', 'InputLayer', { batch_input_shape: [null, null, null, 3] }),
              ...names.map((name) => layer(name)),
              layer('avg_pool', 'GlobalAveragePooling2D'),
            ],
            input_layers: [['input_1', 0, 0]],
            output_layers: [['avg_pool', 0, 0]],
          },
        },
      },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }],
    };
    await mkdir(path.join(root, 'keras'), { recursive: true });
    await writeFile(path.join(root, 'keras', 'model.json'), JSON.stringify(keras));
    await writeFile(path.join(root, 'keras', 'group1-shard1of1.bin'), '');
    const file = path.join(root, 'keras', 'model.json');
    assert.deepEqual(await savedModelProblems(file, { imageSize: 12, channels: 3 }, { featureLayer: 'avg_pool' }), []);
    const problems = await savedModelProblems(file, { imageSize: 12, channels: 1 }, { featureLayer: 'pool5' });
    assert.deepEqual(
      problems.map((problem) => problem.field),
      ['path', 'featureLayer'],
    );
    assert.match(problems[0].message, /takes any x any x 3 images, but data\.imageSize and data\.channels give 12 x 12 x 1/);
    assert.match(problems[1].message, /has no layer "pool5"; its 22 layers include input_1, conv1, conv2, …, conv18, conv19, conv20, avg_pool$/);
    await rm(path.join(root, 'keras', 'group1-shard1of1.bin'));
    assert.match(
      (await savedModelProblems(file, { imageSize: 12, channels: 3 }, {}))[0]?.message ?? '',
      /names weight files that do not exist beside it: group1-shard1of1\.bin$/,
    );
  });

  it('an unknown feature layer, listing the layers, all at once with the other problems', async () => {
    await saveBackbone('named');
    const file = await writeSavedExperiment(
      'layer',
      { path: 'missing/model.json' },
      { batchSize: 0, teacher: { architecture: 'saved', path: 'named/model.json', featureLayer: 'fc9' } },
    );
    await refused(
      file,
      /batchSize: must be >= 1/,
      /teacher\.featureLayer: .*named[\\/]model\.json has no layer "fc9"; its layers are c1, c2$/m,
      /student\.path: .*missing[\\/]model\.json does not exist/,
    );
  });
});
