import * as tf from '@tensorflow/tfjs-core';
import { Conv2D } from '@tensorflow/tfjs-layers/dist/layers/convolutional';
import type { ConvLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/convolutional';

/**
 * tfjs-layers' Conv2D, differentiated lazily. The stock layer routes a convolution without an
 * activation through tfjs's fused conv2d even while gradients are recorded, and that op's gradient
 * computes the input's gradient whether or not anything needs it: for a network's first
 * convolution, whose input is the image, a whole Conv2DBackpropInput per step for nothing. While
 * recording, this layer runs conv2d, bias and activation as separate ops, whose gradients tfjs
 * computes only for inputs that lead to a trained variable: the
 * same arithmetic, and what tfjs-core itself does while recording for the fusable activations other
 * than linear (relu, elu, ...). Registered under the stock class name, so saved models and
 * checkpoints load as this class and serialise unchanged.
 */
export class LazyGradientConv2D extends Conv2D {
  static override className = 'Conv2D';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const recording = tf.engine().state.gradientDepth > 0;
    if (!recording || this.dataFormat !== 'channelsLast') return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const input = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      let y: tf.Tensor = tf.conv2d(
        input,
        this.kernel.read() as tf.Tensor4D,
        this.strides as [number, number],
        this.padding as 'same' | 'valid',
        'NHWC',
        this.dilationRate as [number, number],
      );
      if (this.bias) y = tf.add(y, this.bias.read());
      return this.activation.apply(y);
    });
  }
}

tf.serialization.registerClass(LazyGradientConv2D);

export function conv2d(args: ConvLayerArgs): LazyGradientConv2D {
  return new LazyGradientConv2D(args);
}
