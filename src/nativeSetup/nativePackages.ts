/** The native TensorFlow rungs of the backend ladder, and the npm package that provides each. */
export type NativeRung = 'tensorflow-gpu' | 'tensorflow';

export const nativePackages: Record<NativeRung, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/**
 * The tfjs version the trainer bundles, which a native package must match (one engine, one kernel
 * registry); the extension reads it here rather than bundling tfjs-core (a unit test keeps it equal).
 */
export const TFJS_VERSION = '4.22.0';
