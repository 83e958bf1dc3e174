/**
 * The run folder: the one interface between the trainer (writer) and the extension (reader), so a
 * run started from a terminal or a cluster shows up exactly like one started from the palette.
 * A *prepared* run folder (`kd-uda prepare`) holds experiment.json, status.json saying queued and,
 * for a sweep, sweep.json: `kd-uda train --resume` runs it, from step 0 while it has no checkpoint.
 *
 *   runs/<runId>/experiment.json   RunExperiment (runExperiment.ts): the resolved experiment, as run
 *   runs/<runId>/status.json       RunStatus (runStatus.ts)
 *   runs/<runId>/lock.json         RunLock (runLock.ts): the trainer writing the folder, while it runs
 *   runs/<runId>/sweep.json        SweepMembership (sweepMembership.ts): the sweep and point of a run
 *                                  prepared from a sweep file; absent for a run of a file without one
 *   runs/<runId>/events.jsonl      a RunEvent per line, append-only (runEvents.ts)
 *   runs/<runId>/checkpoints/latest.json                    LatestCheckpoint (checkpointFiles.ts)
 *   runs/<runId>/checkpoints/<role>[-<target>]/epoch-<n>/  model.json + weights.bin + meta.json (CheckpointMeta)
 *   runs/<runId>/results.json      RunResults (results.ts)
 *   runs/<runId>/diffs/<A>--<B>.<hash>.json  CheckpointDiffReport (src/checkpointDiff/reportFormat.ts)
 *   runs/<runId>/trainer.log       human log: no reader depends on its wording
 *
 * Each file has one type and one reader (readRunFiles.ts, eventLog.ts) that validates it and names
 * the file and field it rejects. Readers refuse a `version` newer than RUN_FORMAT_VERSION with a
 * message rather than guessing.
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
  lock: 'lock.json',
  sweep: 'sweep.json',
  events: 'events.jsonl',
  results: 'results.json',
  log: 'trainer.log',
  checkpoints: 'checkpoints',
} as const;

/** Inside checkpoints/: the pointer to the last complete set, and each model's description. */
export const CHECKPOINT_FILES = {
  latest: 'latest.json',
  meta: 'meta.json',
} as const;
