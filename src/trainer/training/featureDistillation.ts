import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { FeatureDistillationSetting, ModelSpec } from '../../experiment/experiment';
import { defaultFeaturePairs } from '../../experiment/featureMapLayers';
import { attentionTransferLoss, hintLoss } from '../losses/featureDistillation';
import { conv2d } from '../models/conv2d';
import type { SplitClassifier } from '../models/buildModel';
import { featureMapShapes } from './featureTaps';
import { withSeededMathRandom } from './nets';

/** The student's extras entry that holds the hint adapters. */
export const HINT_ADAPTERS = 'hint-adapters';

/**
 * Distillation from hidden layers for one student: which teacher and student maps are paired, the
 * adapters a hint needs, and the loss added to the student's objective (see kd.features in the
 * schema and the README for the equations).
 */
export interface FeatureDistillation {
  /** The loss term's name among the student's losses. */
  term: FeatureDistillationSetting['loss'];
  teacherLayers: string[];
  studentLayers: string[];
  /** Trained with the student, saved in its checkpoints, no part of the deployed model. */
  extras: Record<string, tfl.LayersModel>;
  /** `weight/2 × Σ_pairs loss`, times beta under the `beta` schedule; maps in pair order. */
  loss(studentMaps: readonly tf.Tensor4D[], teacherMaps: readonly tf.Tensor4D[], beta: number): tf.Scalar;
}

/**
 * One 1x1 convolution per pair whose channel counts differ (student's to teacher's), linear as
 * FitNets' regressor, gathered in one model with an input and output per adapted pair.
 */
function hintAdapters(
  studentShapes: [number, number, number][],
  teacherShapes: [number, number, number][],
  seed: number,
): { model?: tfl.LayersModel; adapted: boolean[] } {
  const adapted = studentShapes.map((shape, i) => shape[2] !== teacherShapes[i][2]);
  if (!adapted.some(Boolean)) return { adapted };
  return withSeededMathRandom(seed, () => {
    const inputs: tfl.SymbolicTensor[] = [];
    const outputs: tfl.SymbolicTensor[] = [];
    studentShapes.forEach((shape, i) => {
      if (!adapted[i]) return;
      const input = tfl.input({ shape, name: `student_map_${i + 1}` });
      inputs.push(input);
      outputs.push(conv2d({ filters: teacherShapes[i][2], kernelSize: 1, name: `hint_adapter_${i + 1}` }).apply(input) as tfl.SymbolicTensor);
    });
    return { model: tfl.model({ inputs, outputs, name: 'hint_adapters' }), adapted };
  });
}

/** The feature distillation an experiment asks for between these nets, or none without kd.features. */
export function createFeatureDistillation(
  setting: FeatureDistillationSetting | undefined,
  specs: { teacher: ModelSpec; student: ModelSpec },
  nets: { teacher: SplitClassifier; student: SplitClassifier },
  seed: number,
): FeatureDistillation | undefined {
  if (!setting) return undefined;
  const pairs = setting.layers ?? defaultFeaturePairs(specs.teacher, specs.student);
  if (!pairs) throw new Error('kd.features: name the layers to match (kd.features.layers): a saved backbone has no default feature maps');
  const teacherLayers = pairs.map((pair) => pair.teacher);
  const studentLayers = pairs.map((pair) => pair.student);
  const teacherShapes = featureMapShapes(nets.teacher, teacherLayers);
  const studentShapes = featureMapShapes(nets.student, studentLayers);
  const adapters = setting.loss === 'hint' ? hintAdapters(studentShapes, teacherShapes, seed) : { adapted: studentShapes.map(() => false) };
  const { weight, schedule } = setting;
  return {
    term: setting.loss,
    teacherLayers,
    studentLayers,
    extras: adapters.model ? { [HINT_ADAPTERS]: adapters.model } : {},
    loss(studentMaps, teacherMaps, beta) {
      return tf.tidy(() => {
        let adaptedMaps = [...studentMaps];
        if (adapters.model) {
          const fed = studentMaps.filter((_, i) => adapters.adapted[i]);
          const out = adapters.model.apply(fed, { training: true });
          const results = (Array.isArray(out) ? out : [out]) as tf.Tensor4D[];
          let next = 0;
          adaptedMaps = studentMaps.map((map, i) => (adapters.adapted[i] ? results[next++] : map));
        }
        const perPair = adaptedMaps.map((map, i) =>
          setting.loss === 'attention' ? attentionTransferLoss(map, teacherMaps[i]) : hintLoss(map, teacherMaps[i]),
        );
        return tf.mul<tf.Scalar>(tf.addN(perPair), (weight / 2) * (schedule === 'beta' ? beta : 1));
      });
    },
  };
}
