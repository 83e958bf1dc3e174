import type { BackendRecord } from '../../runFolder/runEvents';

/** The rungs of the backend ladder, fastest first. `cpu` (pure JavaScript) is never chosen by `auto`. */
export const backendNames = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof backendNames)[number];

/** What an experiment's `backend` field or the `kdUda.backend` setting may say. */
export type BackendChoice = 'auto' | BackendName;
export const backendChoices: readonly BackendChoice[] = ['auto', ...backendNames];

/** The rungs `auto` tries, in order. */
export const autoLadder: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm'];

export interface BackendRequest {
  backend: BackendChoice;
  /** wasm worker threads (default: every core); native TensorFlow sizes its own pools. */
  threads?: number;
}

/** A rung that was tried and not used: why, and what would make it work. */
export interface SkippedRung {
  name: BackendName;
  reason: string;
  fix: string;
  /** Its package is absent, rather than broken: nobody asked for it when `auto` skipped it. */
  notInstalled?: true;
}

/** What the trainer runs on: the run folder's backend record (events and log), with its rungs typed. */
export interface BackendReport extends Omit<BackendRecord, 'requested' | 'name' | 'skipped'> {
  requested: BackendChoice;
  name: BackendName;
  skipped: SkippedRung[];
}
