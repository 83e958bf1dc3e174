/**
 * events.jsonl: one JSON object a line, appended by the trainer as the run goes, `t` its ISO time
 * and `kind` which of these it is. Readers follow a live run by them (the results panel, Compare
 * Runs, the host's progress) and a resumed run rebuilds its history from them.
 */
import { accuracyByModel, headline, type EpochScores, type Headline } from './results';
import { boolean, byKind, listOf, number, object, oneOf, optional, recordOf, string, type Shape } from './jsonShape';

/** The backend a run trains on, and why faster ones were skipped: so that a slow run explains itself. */
export interface BackendRecord {
  requested: string;
  /** The rung in use. */
  name: string;
  /** tfjs's own name for the active backend (`tensorflow`, `wasm`, `cpu`). */
  tfjsBackend: string;
  /** The npm package providing it, e.g. `@tensorflow/tfjs-backend-wasm`, and its version. */
  package: string;
  version: string;
  /** The compute library underneath: `TensorFlow 2.21.0`, or the wasm build in use. */
  library: string;
  threads: number;
  simd: boolean;
  gpu: boolean;
  /** Higher rungs that were tried first, with the reason and the fix. */
  skipped: { name: string; reason: string; fix: string }[];
  warnings: string[];
  startupMs: number;
}

/** The trainer began (or resumed) the run: its process and backend. */
export interface StartEvent {
  t: string;
  kind: 'start' | 'resume';
  backend: BackendRecord;
  pid: number;
  /** A resume of a run that had written no checkpoint: it trains again from step 0 (the steps logged before are redone). */
  startedOver?: boolean;
}

/** One training step done; `losses` per loss term, all finite (a non-finite one ends the run first). */
export interface StepEvent {
  t: string;
  kind: 'step';
  epoch: number;
  /** 1-based: steps of `epoch` done. */
  step: number;
  steps: number;
  /** The run's epochs; absent in run folders written before it was logged with each step. */
  epochs?: number;
  losses: Record<string, number>;
}

/** Every model scored on every target and the source hold-out after an epoch. */
export interface EvalEvent extends EpochScores {
  t: string;
  kind: 'eval';
}

/** A checkpoint set written; `roles` (role -> folder) once the set is the latest, at an epoch's end. */
export interface CheckpointEvent {
  t: string;
  kind: 'checkpoint';
  epoch: number;
  stepInEpoch: number;
  globalStep: number;
  roles?: Record<string, string>;
}

/** An epoch done: its mean losses, the distillation weight and each model's mean target accuracy. */
export interface EpochEvent {
  t: string;
  kind: 'epoch';
  epoch: number;
  epochs: number;
  /** The epoch's progressive weight, for the methods it weighs (the KD methods); absent for the rest. */
  beta?: number;
  losses: Record<string, number>;
  meanTargetAccuracy: Record<string, number>;
}

/** results.json is written: its headline. */
export interface ResultsEvent {
  t: string;
  kind: 'results';
  headline: Headline;
}

/** The run failed; for a non-finite loss, the model and loss term. */
export interface ErrorEvent {
  t: string;
  kind: 'error';
  message: string;
  role?: string;
  term?: string;
}

/** An image or dataset problem that training goes on past (a corrupt image is skipped). */
export interface DataProblemEvent {
  t: string;
  kind: 'data-problem';
  code: string;
  message: string;
  domain?: string;
  path?: string;
  line?: number;
}

export type RunEvent = StartEvent | StepEvent | EvalEvent | CheckpointEvent | EpochEvent | ResultsEvent | ErrorEvent | DataProblemEvent;

/** An event as the trainer hands it to the log, which stamps `t`. */
export type NewRunEvent = WithoutTime<RunEvent>;
type WithoutTime<E> = E extends RunEvent ? Omit<E, 't'> : never;

/** A complete line that is not an event: where, and what is wrong (`events.jsonl:6: accuracy.student is not an object`). */
export interface BadEventLine {
  /** 1-based. */
  line: number;
  message: string;
}

export interface ParsedEvents {
  events: RunEvent[];
  /** Complete lines that are not events, skipped (a torn last line is not one: it is left unconsumed). */
  badLines: BadEventLine[];
  /** Bytes consumed: a reader that follows the file resumes from here. */
  consumed: number;
}

const t = string;

const backendRecord: Shape<BackendRecord> = object({
  requested: string,
  name: string,
  tfjsBackend: string,
  package: string,
  version: string,
  library: string,
  threads: number,
  simd: boolean,
  gpu: boolean,
  skipped: listOf(object({ name: string, reason: string, fix: string })),
  warnings: listOf(string),
  startupMs: number,
});

const start: Shape<StartEvent> = object({ t, kind: oneOf(['start', 'resume']), backend: backendRecord, pid: number, startedOver: optional(boolean) });

const runEvent: Shape<RunEvent> = byKind<RunEvent>({
  start,
  resume: start,
  step: object({ t, kind: oneOf(['step']), epoch: number, step: number, steps: number, epochs: optional(number), losses: recordOf(number) }),
  eval: object({ t, kind: oneOf(['eval']), epoch: number, accuracy: accuracyByModel, entropy: accuracyByModel }),
  checkpoint: object({ t, kind: oneOf(['checkpoint']), epoch: number, stepInEpoch: number, globalStep: number, roles: optional(recordOf(string)) }),
  epoch: object({
    t,
    kind: oneOf(['epoch']),
    epoch: number,
    epochs: number,
    beta: optional(number),
    losses: recordOf(number),
    meanTargetAccuracy: recordOf(number),
  }),
  results: object({ t, kind: oneOf(['results']), headline }),
  error: object({ t, kind: oneOf(['error']), message: string, role: optional(string), term: optional(string) }),
  'data-problem': object({
    t,
    kind: oneOf(['data-problem']),
    code: string,
    message: string,
    domain: optional(string),
    path: optional(string),
    line: optional(number),
  }),
});

/** One line of events.jsonl, parsed: the event, or a ShapeError naming the field that does not fit. */
export function parseRunEvent(value: unknown): RunEvent {
  return runEvent(value, '');
}
