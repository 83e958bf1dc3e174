import path from 'node:path';
import type { Experiment, ModelSpec } from '../../experiment/experiment';
import type { LatestCheckpoint, TrainingPosition } from '../../runFolder/checkpointFiles';
import { readEvents } from '../../runFolder/eventLog';
import type { EpochScores } from '../../runFolder/results';
import { RUN_FILES } from '../../runFolder/runFolderFormat';
import { MODEL_JSON } from '../checkpoints/fileModelIO';
import { loadCheckpointBackbone, loadSavedBackbone, type SavedBackbone } from '../models/savedBackbone';
import type { Learner } from '../training/learner';
import { loadNetWeights, restoreLearner } from './checkpointStore';
import type { RunWriter } from './runWriter';

/** Where the epoch loop starts, and the evaluations already done before it (a resumed run's). */
export interface StartingPoint {
  position: TrainingPosition;
  history: EpochScores[];
}

/** The model spec a learner role is built from: `student` and online-kd's branches, or the teacher's for `teacher` and `teacher-<target>`. */
export function specOf(experiment: Experiment, role: string): ModelSpec {
  return role === 'student' || experiment.method.name === 'online-kd' ? experiment.student : experiment.teacher;
}

/**
 * The backbone of each `saved` model spec, loaded once for all the learners built from it. A
 * resumed run takes it from its own checkpoint (whose weights it restores anyway), so that it does
 * not depend on the original model file; a spec no checkpointed learner uses is not needed.
 */
export async function loadSavedBackbones(
  experiment: Experiment,
  resumeFrom?: { runDir: string; latest: LatestCheckpoint },
): Promise<Map<ModelSpec, SavedBackbone>> {
  const backbones = new Map<ModelSpec, SavedBackbone>();
  try {
    for (const spec of [experiment.teacher, experiment.student]) {
      if (spec.architecture !== 'saved') continue;
      if (!resumeFrom) {
        backbones.set(spec, await loadSavedBackbone(spec.path!, spec.featureLayer));
        continue;
      }
      const checkpoint = Object.entries(resumeFrom.latest.roles).find(([role]) => specOf(experiment, role) === spec)?.[1];
      if (checkpoint) backbones.set(spec, await loadCheckpointBackbone(path.join(resumeFrom.runDir, checkpoint, MODEL_JSON)));
    }
    return backbones;
  } catch (error) {
    for (const backbone of backbones.values()) backbone.dispose();
    throw error;
  }
}

/**
 * Puts every learner where the run continues: restored from `latest` (weights, discriminator,
 * optimiser) with the evaluations its events recorded up to it, or, for a run starting at step 0,
 * warm-started where the experiment says so.
 */
export async function startingPoint(
  experiment: Experiment,
  learners: readonly Learner[],
  writer: RunWriter,
  stepsPerEpoch: number,
  latest: LatestCheckpoint | undefined,
): Promise<StartingPoint> {
  if (!latest) {
    for (const learner of learners) {
      const spec = specOf(experiment, learner.role);
      if (!spec.warmStart) continue;
      await loadNetWeights(learner.net, learner.role, path.resolve(spec.warmStart));
      await writer.log(`${learner.role}: warm-started from ${spec.warmStart}`);
    }
    return { position: { epoch: 1, stepInEpoch: 0, globalStep: 0 }, history: [] };
  }
  for (const learner of learners) {
    const dir = latest.roles[learner.role];
    if (!dir) throw new Error(`the checkpoint has no "${learner.role}"; it does not belong to this experiment`);
    await restoreLearner(learner, path.join(writer.dir, dir));
  }
  const position = { epoch: latest.epoch, stepInEpoch: latest.stepInEpoch, globalStep: latest.globalStep };
  // Events after the checkpoint (an interrupted epoch's evaluation) are redone, so not history.
  const lastEvaluated = latest.epoch - (latest.stepInEpoch < stepsPerEpoch ? 1 : 0);
  const history = (await readEvents(path.join(writer.dir, RUN_FILES.events))).events.flatMap((event) =>
    event.kind === 'eval' && event.epoch <= lastEvaluated ? [{ epoch: event.epoch, accuracy: event.accuracy, entropy: event.entropy }] : [],
  );
  await writer.log(`resuming at epoch ${position.epoch}, step ${position.stepInEpoch} of ${stepsPerEpoch}`);
  return { position, history };
}
