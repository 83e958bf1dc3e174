/**
 * The run folder: the one interface between the trainer (writer) and the extension (reader), so a
 * run started from a terminal or a cluster shows up exactly like one started from the palette.
 *
 *   runs/<runId>/experiment.json   the resolved experiment, as run
 *   runs/<runId>/status.json       RunStatus
 *   runs/<runId>/events.jsonl      RunEvent per line, append-only
 *   runs/<runId>/checkpoints/<role>[-<target>]/epoch-<n>/  model.json + weights.bin + meta.json
 *   runs/<runId>/results.json      RunResults
 *   runs/<runId>/trainer.log       human log
 *
 * Readers refuse a `version` newer than RUN_FORMAT_VERSION with a message rather than guessing.
 */

export const RUN_STATES = ['queued', 'running', 'stopped', 'failed', 'done'] as const;
export type RunState = (typeof RUN_STATES)[number];

/** The newest run-folder format this build reads; newer ones are refused by name, not guessed. */
export const RUN_FORMAT_VERSION = 1;

/** The evaluation of the source domain's held-out split, logged beside the targets: never a target itself. */
export const SOURCE_HOLDOUT = 'source-holdout';

export const RUN_FILES = {
  experiment: 'experiment.json',
  status: 'status.json',
  events: 'events.jsonl',
  results: 'results.json',
  log: 'trainer.log',
  checkpoints: 'checkpoints',
} as const;

export interface RunStatus {
  version: number;
  state: RunState;
  pid?: number;
  host?: string;
  startedAt?: string;
  endedAt?: string;
  /** Why the run failed, for state `failed`. */
  error?: string;
}

/** One line of events.jsonl: `t` is an ISO timestamp; the rest depends on `kind`. */
export interface RunEvent {
  t: string;
  kind: string;
  [field: string]: unknown;
}
