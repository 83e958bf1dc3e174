/** The native TensorFlow rungs of the backend ladder, and the npm package that provides each. */
export type NativeRung = 'tensorflow-gpu' | 'tensorflow';

export const nativePackages: Record<NativeRung, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};
