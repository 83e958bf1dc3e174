import * as tf from '@tensorflow/tfjs-core';
import { Relu } from '@tensorflow/tfjs-core';
import type { GradConfig, Tensor } from '@tensorflow/tfjs-core';

/** A kernel a backend may provide for dy * (x > 0) in one pass (TensorFlow's ReluGrad). */
export const reluGradKernel = 'KdUdaReluGrad';

/**
 * ReLU's gradient through `reluGradKernel` where the active backend has it, else tfjs-core's own
 * formula, dy * step(x), which is three ops (step, cast, multiply) over the full activation.
 */
export const reluGradient: GradConfig = {
  kernelName: Relu,
  inputsToSave: ['x'],
  gradFunc: (dyOrDys, saved) => {
    const dy = dyOrDys as Tensor;
    const [x] = saved;
    return {
      x: () =>
        dy.dtype === 'float32' && x.dtype === 'float32' && tf.getKernel(reluGradKernel, tf.getBackend())
          ? tf.engine().runKernel<Tensor>(reluGradKernel, { dy, x }, {})
          : tf.mul(dy, tf.cast(tf.step(x), 'float32')),
    };
  },
};
