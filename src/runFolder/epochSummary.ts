import type { EpochEvent } from './runEvents';

/**
 * An epoch event in words, `epoch 2/20: teacher 71.3%, student 64.0% mean target accuracy`: the
 * trainer logs it, and the host shows it as a run's progress from the event itself, so the log's
 * wording is never read back.
 */
export function epochSummary(event: Pick<EpochEvent, 'epoch' | 'epochs' | 'meanTargetAccuracy'>): string {
  const models = Object.entries(event.meanTargetAccuracy).map(([role, accuracy]) => `${role} ${(100 * accuracy).toFixed(1)}%`);
  return `epoch ${event.epoch}/${event.epochs}: ${models.join(', ')} mean target accuracy`;
}
