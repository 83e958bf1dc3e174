/**
 * The schedules the methods share (METHODS.md). Epochs are 1-based, as in the papers' formulas.
 */

/**
 * Progressive weight beta: grows exponentially per epoch from `start` towards `end` over `epochs`
 * epochs, `beta(e) = start * exp(g (e - 1))` with `g = ln(end / start) / epochs`. Early epochs
 * weight the teacher's adaptation, later ones the student's distillation.
 */
export function progressiveBeta(epoch: number, epochs: number, start: number, end: number): number {
  const growth = Math.log(end / start) / epochs;
  return start * Math.exp(growth * (epoch - 1));
}

/** Annealed learning rate `lr0 / (1 + 10 p)^0.75` for training progress p in [0, 1] (the DANN paper's schedule). */
export function annealedLearningRate(progress: number, initial: number): number {
  return initial / Math.pow(1 + 10 * progress, 0.75);
}

/**
 * The progress the learning rate anneals with at a step: per step, the share of all steps done
 * (the DANN paper); per epoch, `(e - 1) / E`, constant within an epoch (the KD authors' code).
 */
export function learningRateProgress(
  schedule: 'per-step' | 'per-epoch',
  at: { epoch: number; epochs: number; globalStep: number; totalSteps: number },
): number {
  return schedule === 'per-step' ? at.globalStep / at.totalSteps : (at.epoch - 1) / at.epochs;
}

/**
 * Gradient-reversal weight delta for training progress p in [0, 1]: `2 / (1 + exp(-10 p)) - 1`.
 * Starts at 0 so that the discriminator's noisy early gradients do not disturb the features.
 */
export function reversalWeight(progress: number): number {
  return 2 / (1 + Math.exp(-10 * progress)) - 1;
}
