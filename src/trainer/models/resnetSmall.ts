import * as tfl from '@tensorflow/tfjs-layers';
import { ADAPTATION_LAYERS, defaultAdaptationLayer } from '../../experiment/adaptationLayers';
import { batchNormalization } from './batchNormalization';
import { conv2d } from './conv2d';
import { linearHead } from './lenet5';
import type { ModelOptions, SplitClassifier } from './modelTypes';

type Symbolic = tfl.SymbolicTensor;

/**
 * Small ResNet teacher (CIFAR-style, for 32x32 inputs): conv3x3 stem, three stages of basic blocks
 * at 32/64/128 channels (stages 2 and 3 halve the resolution), batch norm after every conv, global
 * average pooling (the adaptation features), linear head. `depth` blocks per stage (default 1).
 */
export function buildResnetSmall(options: ModelOptions): SplitClassifier {
  const width = options.width ?? 1;
  const depth = options.depth ?? 1;
  const stages = [32, 64, 128].map((base) => Math.max(1, Math.round(base * width)));
  const input = tfl.input({ shape: options.inputShape, name: 'image' });
  let x = convBn(input, stages[0], 3, 1, 'stem');
  x = tfl.layers.reLU({ name: 'stem_relu' }).apply(x) as Symbolic;
  stages.forEach((filters, stage) => {
    for (let block = 0; block < depth; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1;
      x = basicBlock(x, filters, stride, `stage${stage + 1}_block${block + 1}`);
    }
  });
  const adaptAt = options.adaptAt ?? defaultAdaptationLayer('resnet-small');
  if (!ADAPTATION_LAYERS['resnet-small'].includes(adaptAt))
    throw new Error(`a ResNet has no adaptation layer "${adaptAt}"; it can be cut at ${ADAPTATION_LAYERS['resnet-small'].join(', ')}`);
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as Symbolic;
  const trunk = tfl.model({ inputs: input, outputs: pooled, name: 'resnet_small_trunk' });
  const adaptationSize = stages[stages.length - 1];
  const head = linearHead(adaptationSize, options.classes, 'resnet_small_head');
  return { name: 'resnet-small', trunk, head, adaptAt, adaptationSize };
}

function convBn(x: Symbolic, filters: number, kernelSize: number, stride: number, name: string): Symbolic {
  // No conv bias: the batch norm's offset plays that role.
  const conv = conv2d({ filters, kernelSize, strides: stride, padding: 'same', useBias: false, kernelInitializer: 'heNormal', name: `${name}_conv` }).apply(
    x,
  ) as Symbolic;
  return batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5, name: `${name}_bn` }).apply(conv) as Symbolic;
}

function basicBlock(x: Symbolic, filters: number, stride: number, name: string): Symbolic {
  const inputChannels = x.shape[x.shape.length - 1];
  let y = convBn(x, filters, 3, stride, `${name}_a`);
  y = tfl.layers.reLU({ name: `${name}_a_relu` }).apply(y) as Symbolic;
  y = convBn(y, filters, 3, 1, `${name}_b`);
  const shortcut = stride !== 1 || inputChannels !== filters ? convBn(x, filters, 1, stride, `${name}_proj`) : x;
  const sum = tfl.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as Symbolic;
  return tfl.layers.reLU({ name: `${name}_relu` }).apply(sum) as Symbolic;
}
