import type { RunEvent } from '../runFolder/runEvents';
import { TrainingProgressTracker, type TrainingProgress } from './trainingProgress';

/**
 * Where the run's latest trainer session stands at `nowMs`, from all of a run folder's events (a
 * reader that reads the whole file, as the results panel does): the tracker starts afresh at each
 * start or resume event, so only the last session counts.
 */
export function latestSessionProgress(events: readonly RunEvent[], nowMs: number): TrainingProgress | undefined {
  const tracker = new TrainingProgressTracker();
  for (const event of events) tracker.add(event);
  return tracker.progress(nowMs);
}
