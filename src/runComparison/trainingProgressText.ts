/**
 * A training session's progress in words: one short line (status bar, output channel, results
 * panel) and a detailed one (tooltips). The host and the webview both say it this way.
 */
import type { TrainingProgress } from './trainingProgress';

/** `0:45`, `12:03`, `1:02:03`: whole seconds, rounded up so that a countdown does not show 0:00 early. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.ceil(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`;
}

/** Three significant digits: losses span 1e-3 to 1e1 over a run. */
export function formatLoss(value: number): string {
  return Math.abs(value) >= 1000 ? value.toExponential(2) : value.toPrecision(3);
}

/** `ep 1/5` (`ep 1` while the number of epochs is unknown). */
function epochText(progress: TrainingProgress): string {
  return `ep ${progress.epoch}${progress.epochs === undefined ? '' : `/${progress.epochs}`}`;
}

/**
 * The ETA to show: the run's when known, else the epoch's; `≥` while no evaluation was timed (the
 * time left to evaluate is not in it); nothing while the speed is unknown.
 */
export function etaText(progress: TrainingProgress): string | undefined {
  const lowerBound = progress.etaIncludesEvaluation ? '' : '≥';
  if (progress.runEtaSeconds !== undefined) return `ETA ${lowerBound}${formatDuration(progress.runEtaSeconds)}`;
  if (progress.epochEtaSeconds !== undefined) return `epoch ETA ${lowerBound}${formatDuration(progress.epochEtaSeconds)}`;
  return undefined;
}

/** `ep 1/5 · step 37/90 · loss 1.42 · ETA 0:45`; `evaluating` or `writing results` in place of the step between steps. */
export function progressLine(progress: TrainingProgress): string {
  const where = progress.phase === 'evaluating' ? 'evaluating' : progress.phase === 'finishing' ? 'writing results' : `step ${progress.step}/${progress.steps}`;
  const parts = [epochText(progress), where];
  if (progress.runningLoss) parts.push(`loss ${formatLoss(progress.runningLoss.total)}`);
  const eta = etaText(progress);
  if (eta) parts.push(eta);
  return parts.join(' · ');
}

/**
 * What a running run's notification says: where it stands inside its epoch, then how its last
 * epoch ended (`ep 2/3 · step 37/90 · loss 1.42 · ETA 0:45 — epoch 1/3: student 26.7%, …`);
 * 'starting' before either is known.
 */
export function runNotificationMessage(training: TrainingProgress | undefined, lastEpochSummary: string | undefined): string {
  const parts = [...(training ? [progressLine(training)] : []), ...(lastEpochSummary === undefined ? [] : [lastEpochSummary])];
  return parts.length ? parts.join(' — ') : 'starting';
}

/** Several lines: where, the running loss and each term, the speed, and what each ETA counts. */
export function progressDetail(progress: TrainingProgress): string {
  const epochs = progress.epochs === undefined ? '' : ` of ${progress.epochs}`;
  const doing =
    progress.phase === 'evaluating' ? 'scoring the models and writing a checkpoint' : progress.phase === 'finishing' ? 'writing the results' : 'training';
  const lines = [`Epoch ${progress.epoch}${epochs}, step ${progress.step} of ${progress.steps}: ${doing}.`];
  const loss = progress.runningLoss;
  if (loss) {
    const terms = Object.entries(loss.terms).map(([name, value]) => `${name} ${formatLoss(value)}`);
    lines.push(
      `Loss ${formatLoss(loss.total)} (the terms summed, mean of the last ${loss.steps} ${loss.steps === 1 ? 'step' : 'steps'}): ${terms.join(', ')}.`,
    );
  }
  if (progress.secondsPerStep === undefined) {
    lines.push('No ETA yet: too few steps timed.');
  } else {
    lines.push(`${formatDuration(progress.secondsPerStep * progress.steps)} an epoch of training (${(1 / progress.secondsPerStep).toFixed(2)} steps/s).`);
    lines.push(
      progress.secondsPerEvaluation === undefined
        ? 'No evaluation timed yet: the ETAs leave it out, so they are lower bounds.'
        : `${formatDuration(progress.secondsPerEvaluation)} an evaluation and checkpoint at each epoch's end, included in the ETAs.`,
    );
    if (progress.epochEtaSeconds !== undefined) lines.push(`This epoch ends in about ${formatDuration(progress.epochEtaSeconds)}.`);
    if (progress.runEtaSeconds !== undefined) lines.push(`The run ends in about ${formatDuration(progress.runEtaSeconds)}.`);
  }
  return lines.join('\n');
}
