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
}

/** What the trainer runs on; written to the run's events and log so a slow run explains itself. */
export interface BackendReport {
  requested: BackendChoice;
  /** The rung in use. */
  name: BackendName;
  /** tfjs's own name for the active backend (`tensorflow`, `wasm`, `cpu`). */
  tfjsBackend: string;
  /** The npm package providing it and its version, e.g. `@tensorflow/tfjs-backend-wasm 4.22.0`. */
  package: string;
  version: string;
  /** The compute library underneath: `TensorFlow 2.21.0`, or the wasm build in use. */
  library: string;
  threads: number;
  simd: boolean;
  gpu: boolean;
  /** Higher rungs that were tried first, with the reason and the fix. */
  skipped: SkippedRung[];
  /** Things the user should know (slow backend, fewer threads than asked). */
  warnings: string[];
  startupMs: number;
}
