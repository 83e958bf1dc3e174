import type { TrainingPosition } from '../../runFolder/checkpointFiles';

/**
 * Whether a checkpoint set stays on disk as an epoch snapshot once a newer set replaces it as the
 * latest: only a set written at an epoch's end (a stop's mid-epoch set never is one), and only
 * every `keepEvery`-th epoch (0: none, the latest alone is kept). The last epoch needs no rule:
 * nothing replaces it, so it stays as the latest.
 */
export function keepsAsSnapshot(position: TrainingPosition, stepsPerEpoch: number, keepEvery: number): boolean {
  return keepEvery > 0 && position.stepInEpoch >= stepsPerEpoch && position.epoch % keepEvery === 0;
}
