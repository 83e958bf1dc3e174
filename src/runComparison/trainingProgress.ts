/**
 * Where one trainer session stands inside its epochs, from its events alone (so a run followed on
 * a Slurm node reads the same as one on this machine): epoch e/E, step n/N, what it is doing, the
 * running loss, its speed and when the epoch and the run should end. Plain data, sent to webviews.
 */
import { boolean, number, object, oneOf, optional, recordOf, type Shape } from '../runFolder/jsonShape';
import type { RunEvent, StepEvent } from '../runFolder/runEvents';

/** Steps the running loss is the mean of: enough to smooth a noisy batch, few enough to follow a trend. */
export const RUNNING_LOSS_STEPS = 20;
/**
 * Step-to-step times the speed is the median of: recent ones, since the first steps of a session
 * run slower (kernels compile); a median, since one step held up by the machine's other work (a
 * collection, a checkpoint, another process) would swing a mean and the ETA with it.
 */
const SPEED_WINDOW_STEPS = 50;
/** No ETA before this many step-to-step times are known: one or two say little. */
export const MIN_TIMED_STEPS = 3;

/**
 * `training`: taking the epoch's steps. `evaluating`: its last step is done and the models are
 * scored and checkpointed (until its epoch event). `finishing`: the last epoch is done and the
 * results are written.
 */
export type TrainingPhase = 'training' | 'evaluating' | 'finishing';

export interface TrainingProgress {
  epoch: number;
  /** Absent for a run folder whose step events predate the field, until its first epoch event. */
  epochs?: number;
  /** Steps of `epoch` done (0 between an epoch's end and the next one's first step). */
  step: number;
  steps: number;
  phase: TrainingPhase;
  /** Means over the session's last `steps` steps (at most RUNNING_LOSS_STEPS): of each step's loss terms summed, and of each term. */
  runningLoss?: { total: number; terms: Record<string, number>; steps: number };
  /** The median of this session's recent step-to-step times; absent until MIN_TIMED_STEPS of them. */
  secondsPerStep?: number;
  /** From an epoch's last step to its epoch event (evaluation and checkpoint); absent until an epoch of this session ended. */
  secondsPerEvaluation?: number;
  /** Until this epoch's end, its evaluation included when that was measured; absent while the speed is unknown. */
  epochEtaSeconds?: number;
  /** Until the run's end; absent while the speed or the number of epochs is unknown. */
  runEtaSeconds?: number;
  /** Whether the ETAs include evaluation time: not until one evaluation was timed, when they are lower bounds. */
  etaIncludesEvaluation: boolean;
}

/** A `progress` message's payload, checked (`field` names it in the error): webviews read it from the host. */
export const checkTrainingProgress: Shape<TrainingProgress> = object({
  epoch: number,
  epochs: optional(number),
  step: number,
  steps: number,
  phase: oneOf(['training', 'evaluating', 'finishing']),
  runningLoss: optional(object({ total: number, terms: recordOf(number), steps: number })),
  secondsPerStep: optional(number),
  secondsPerEvaluation: optional(number),
  epochEtaSeconds: optional(number),
  runEtaSeconds: optional(number),
  etaIncludesEvaluation: boolean,
});

/**
 * Takes a session's events in order (a start or resume event begins a new session, forgetting the
 * last one's times) and says where it stands at a given moment.
 */
export class TrainingProgressTracker {
  private lastStep: StepEvent | undefined;
  private lastStepMs = 0;
  private epochs: number | undefined;
  /** The epoch whose epoch event came last, with its time: between it and the next step nothing trains. */
  private endedEpoch: { epoch: number; ms: number } | undefined;
  private recentLosses: Record<string, number>[] = [];
  private stepSeconds: number[] = [];
  private evaluationSeconds: number | undefined;
  private ended = false;

  add(event: RunEvent): void {
    const ms = Date.parse(event.t);
    switch (event.kind) {
      case 'start':
      case 'resume':
        this.reset();
        break;
      case 'step':
        this.addStep(event, ms);
        break;
      case 'epoch':
        this.epochs = event.epochs;
        // The evaluation is timed from the epoch's last step, when this session took it.
        if (this.lastStep?.epoch === event.epoch && this.lastStep.step === this.lastStep.steps) this.evaluationSeconds = (ms - this.lastStepMs) / 1000;
        this.endedEpoch = { epoch: event.epoch, ms };
        break;
      case 'results':
      case 'error':
        this.ended = true;
        break;
    }
  }

  private reset(): void {
    this.lastStep = undefined;
    this.endedEpoch = undefined;
    this.recentLosses = [];
    this.stepSeconds = [];
    this.evaluationSeconds = undefined;
    this.ended = false;
  }

  private addStep(event: StepEvent, ms: number): void {
    const previous = this.lastStep;
    // Only consecutive steps of one epoch time a step (an epoch starts again at step 1): the gap across an epoch's end holds its evaluation.
    if (previous && previous.step + 1 === event.step && ms >= this.lastStepMs) {
      this.stepSeconds.push((ms - this.lastStepMs) / 1000);
      if (this.stepSeconds.length > SPEED_WINDOW_STEPS) this.stepSeconds.shift();
    }
    this.recentLosses.push(event.losses);
    if (this.recentLosses.length > RUNNING_LOSS_STEPS) this.recentLosses.shift();
    if (event.epochs !== undefined) this.epochs = event.epochs;
    this.lastStep = event;
    this.lastStepMs = ms;
    this.endedEpoch = undefined;
  }

  /** Where the session stands at `nowMs`; undefined before its first step and once the run has ended. */
  progress(nowMs: number): TrainingProgress | undefined {
    const last = this.lastStep;
    if (!last || this.ended) return undefined;
    const { epochs } = this;
    const secondsPerStep = this.stepSeconds.length >= MIN_TIMED_STEPS ? median(this.stepSeconds) : undefined;
    const evaluation = this.evaluationSeconds;
    const between = this.endedEpoch;
    const phase: TrainingPhase = between
      ? epochs !== undefined && between.epoch >= epochs
        ? 'finishing'
        : 'training'
      : last.step === last.steps
        ? 'evaluating'
        : 'training';
    const epoch = between && phase === 'training' ? between.epoch + 1 : last.epoch;
    const step = between && phase === 'training' ? 0 : last.step;
    const progress: TrainingProgress = {
      epoch,
      ...(epochs === undefined ? {} : { epochs }),
      step,
      steps: last.steps,
      phase,
      runningLoss: runningLoss(this.recentLosses),
      ...(secondsPerStep === undefined ? {} : { secondsPerStep }),
      ...(evaluation === undefined ? {} : { secondsPerEvaluation: evaluation }),
      etaIncludesEvaluation: evaluation !== undefined,
    };
    if (secondsPerStep === undefined || phase === 'finishing') return progress;
    // The work left, less what has passed since the last event: the ETA counts down between events.
    const sinceLast = (nowMs - (between?.ms ?? this.lastStepMs)) / 1000;
    const thisEpochWork = phase === 'evaluating' ? (evaluation ?? 0) : (last.steps - step) * secondsPerStep + (evaluation ?? 0);
    const epochEta = Math.max(0, thisEpochWork - sinceLast);
    // An evaluation under way, not yet timed once: how long it takes is not known.
    if (phase !== 'evaluating' || evaluation !== undefined) progress.epochEtaSeconds = epochEta;
    if (epochs !== undefined) progress.runEtaSeconds = epochEta + (epochs - epoch) * (last.steps * secondsPerStep + (evaluation ?? 0));
    return progress;
  }
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function runningLoss(recent: readonly Record<string, number>[]): TrainingProgress['runningLoss'] {
  if (recent.length === 0) return undefined;
  const names = [...new Set(recent.flatMap((losses) => Object.keys(losses)))].sort();
  const terms = Object.fromEntries(names.map((name) => [name, mean(recent.map((losses) => losses[name]).filter((value) => value !== undefined))]));
  return { total: mean(recent.map((losses) => Object.values(losses).reduce((sum, value) => sum + value, 0))), terms, steps: recent.length };
}
