import * as tf from '@tensorflow/tfjs-core';
import { backend_util, Mean, util } from '@tensorflow/tfjs-core';
import type { GradConfig, MeanAttrs, Tensor } from '@tensorflow/tfjs-core';

/**
 * Gradient of a mean: dy / n spread back over the reduced axes. tfjs-core materialises a tensor of
 * ones of the input's size and multiplies and divides over it (three full-size ops); broadcasting
 * the n-times-smaller quotient is one. Batch norm's moments take two means per layer.
 */
export const meanGradient: GradConfig = {
  kernelName: Mean,
  inputsToSave: ['x'],
  gradFunc: (dyOrDys, saved, attrs) => {
    const dy = dyOrDys as Tensor;
    const [x] = saved;
    const axes = util.parseAxisParam((attrs as unknown as MeanAttrs).axis, x.shape);
    const [, reduceShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    const count = util.sizeFromShape(reduceShape);
    const expandedShape = x.shape.map((size, axis) => (axes.includes(axis) ? 1 : size));
    return { x: () => tf.broadcastTo(tf.div(tf.reshape(dy, expandedShape), tf.scalar(count)), x.shape) };
  },
};
