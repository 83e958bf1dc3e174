import type { CheckpointListing } from '../../runFolder/listCheckpoints';

/**
 * How a checkpoint reads wherever one is picked (the Runs view's Checkpoints node, the Compare
 * Checkpoints picker): its model and epoch, `student · epoch 3`, since a run now keeps several
 * epochs of each model; a set a stop wrote mid-epoch adds its step, `student · epoch 2 step 1`.
 */
export function checkpointNodeLabel(checkpoint: Pick<CheckpointListing, 'role' | 'set' | 'epoch' | 'stepInEpoch'>): string {
  const midEpoch = /-step-\d+$/.test(checkpoint.set) ? ` step ${checkpoint.stepInEpoch}` : '';
  return `${checkpoint.role} · epoch ${checkpoint.epoch}${midEpoch}`;
}
