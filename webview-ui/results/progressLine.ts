/**
 * The results panel's progress line: a bar over the epoch's steps and, in words, the epoch, step,
 * running loss and ETA of the trainer, so a run shows life before its first evaluation. The host
 * sends a `progress` message after each snapshot; between them the ETAs count down here.
 */
import { parseResultsProgressMessage } from '../../src/protocol/resultsMessages';
import type { TrainingProgress } from '../../src/runComparison/trainingProgress';
import { progressDetail, progressLine } from '../../src/runComparison/trainingProgressText';
import { el } from '../shared/dom';

/** How often the ETAs count down between the host's messages. */
const TICK_MS = 1000;

const text = el('span', { id: 'run-progress-text' });
const bar = el('progress', { id: 'run-progress-bar', max: '1', value: '0' });
/** Kept across renders: main.ts places it under the header each time it redraws. */
export const progressElement = el('div', { id: 'run-progress', role: 'status', 'aria-live': 'polite', hidden: '' }, bar, text);

let shown: { progress: TrainingProgress; receivedMs: number } | undefined;
let ticker: number | undefined;

/** A `progress` message from the host; one that does not fit is reported in the line, not shown as numbers. */
export function showProgress(message: unknown): void {
  let checked;
  try {
    checked = parseResultsProgressMessage(message);
  } catch (error) {
    shown = undefined;
    show(`Progress not shown: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  shown = checked.progress ? { progress: checked.progress, receivedMs: Date.now() } : undefined;
  if (!checked.running) hide();
  else if (!shown) show('Waiting for the first training step…');
  else paint();
}

function show(line: string, title = ''): void {
  text.textContent = line;
  progressElement.title = title;
  progressElement.hidden = false;
  syncTicker();
}

function hide(): void {
  progressElement.hidden = true;
  syncTicker();
}

/** The progress as of now: its ETAs less the time since it came. */
function paint(): void {
  if (!shown) return;
  const elapsed = (Date.now() - shown.receivedMs) / 1000;
  const { epochEtaSeconds, runEtaSeconds } = shown.progress;
  const progress: TrainingProgress = {
    ...shown.progress,
    ...(epochEtaSeconds === undefined ? {} : { epochEtaSeconds: Math.max(0, epochEtaSeconds - elapsed) }),
    ...(runEtaSeconds === undefined ? {} : { runEtaSeconds: Math.max(0, runEtaSeconds - elapsed) }),
  };
  bar.value = progress.steps > 0 ? progress.step / progress.steps : 0;
  bar.setAttribute('aria-label', `step ${progress.step} of ${progress.steps}`);
  show(progressLine(progress).replace(/^ep /, 'epoch '), progressDetail(progress));
}

function syncTicker(): void {
  const counting = !progressElement.hidden && shown !== undefined;
  if (counting && ticker === undefined) ticker = window.setInterval(paint, TICK_MS);
  else if (!counting && ticker !== undefined) {
    window.clearInterval(ticker);
    ticker = undefined;
  }
}
