import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
// A used import: the package marks its node entry side-effect free, which would drop the backend.
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { validateExperimentText } from '../../src/experiment/validateExperiment';
import { createMethod } from '../../src/trainer/methods/createMethod';
import { logitsOf } from '../../src/trainer/training/nets';
import { createOptimizer, setLearningRate } from '../../src/trainer/training/optimizer';
import { supervisedAdaptationStep } from '../../src/trainer/training/steps';

function experiment(method: Record<string, unknown>) {
  const result = validateExperimentText(
    JSON.stringify({
      version: 1,
      name: 'normalization',
      data: { root: 'data', source: 'src', targets: ['t1'], imageSize: 8, channels: 3 },
      teacher: { architecture: 'resnet-small', width: 0.25 },
      method: { discriminator: { hidden: [8] }, ...method },
    }),
    'normalization.kdexp.json',
  );
  assert.ok(result.ok);
  return result.experiment;
}

describe('training-time state that evaluation relies on', () => {
  before(async () => {
    assert.ok(version_cpu, 'the cpu backend is loaded');
    assert.ok(await tf.setBackend('cpu'));
  });

  for (const name of ['sgd', 'adam'] as const) {
    it(`setLearningRate takes effect on ${name} (a rate of 0 leaves the weights alone)`, () => {
      const optimizer = createOptimizer({ ...experiment({ name: 'dann', model: 'teacher' }).optimizer, name }, 0.5);
      const weight = tf.variable(tf.tensor1d([1, 2]));
      setLearningRate(optimizer, 0);
      optimizer.applyGradients([{ name: weight.name, tensor: tf.tensor1d([1, 1]) }]);
      assert.deepEqual([...weight.dataSync()], [1, 2]);
      optimizer.dispose();
      weight.dispose();
    });
  }

  it('a teacher with batch norm evaluates its source and target images as it trained on them', () => {
    // With the weights frozen, repeated steps settle the moving statistics; inference on the
    // step's images must then give the logits the step computed. Separate passes per domain failed
    // this: each domain trained under its own statistics, the moving averages blended both.
    const dann = experiment({ name: 'dann', model: 'teacher' });
    const [learner] = createMethod({ experiment: dann, shape: { inputShape: [8, 8, 3], classes: 2 }, targets: ['t1'] }).learners;
    setLearningRate(learner.optimizer, 0);
    const source = tf.randomUniform<tf.Rank.R4>([6, 8, 8, 3], -1, 1, 'float32', 1);
    const target = tf.tidy<tf.Tensor4D>(() => tf.add(tf.mul(tf.randomUniform([6, 8, 8, 3], -1, 1, 'float32', 2), 3), 2));
    const labels = tf.tensor1d([0, 1, 0, 1, 0, 1], 'int32');
    const context = { experiment: dann, schedule: { beta: 0.1, delta: 1 } };
    let trained: tf.Tensor2D | undefined;
    for (let step = 0; step < 80; step++) {
      const { outputs } = supervisedAdaptationStep(learner, { source, labels, target }, context, { scale: 1, udaWeight: 1 }, { mapsAt: [] });
      tf.dispose(trained);
      trained = tf.concat([outputs!.source, outputs!.target]);
      tf.dispose([outputs!.source, outputs!.target]);
    }
    const evaluated = tf.tidy(() => logitsOf(learner.net, tf.concat([source, target]), false));
    const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(evaluated, trained!))).dataSync()[0]);
    const scale = tf.tidy(() => tf.max(tf.abs(trained!)).dataSync()[0]);
    assert.ok(gap < 1e-3 * Math.max(1, scale), `inference logits differ from the trained ones by ${gap} (logits up to ${scale})`);
    tf.dispose([source, target, labels, trained!, evaluated]);
  });
});
