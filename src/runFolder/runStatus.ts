import { number, object, oneOf, optional, parseVersionedFile, string, type Shape } from './jsonShape';
import { RUN_FORMAT_VERSION, RUN_STATES, type RunState } from './runFolderFormat';

/** status.json: where the run stands, replaced whole by the trainer at every change. */
export interface RunStatus {
  version: number;
  state: RunState;
  /** The trainer process and the machine it runs on: a reader there can tell whether it still runs. */
  pid?: number;
  host?: string;
  /** When the run first started, ISO: a resume keeps it. */
  startedAt?: string;
  /** When the run was last resumed, ISO; absent for a run never resumed. */
  resumedAt?: string;
  endedAt?: string;
  /** Why the run failed, for state `failed`. */
  error?: string;
  /** The Slurm job that executes the run, when a Slurm executor submitted it; every writer keeps it. */
  slurm?: SlurmJobRecord;
}

/** The run's Slurm job (`<array id>_<task>` for an array task) and how often that job has requeued itself. */
export interface SlurmJobRecord {
  jobId: string;
  requeues: number;
}

const runStatus: Shape<RunStatus> = object({
  version: number,
  state: oneOf(RUN_STATES),
  pid: optional(number),
  host: optional(string),
  startedAt: optional(string),
  resumedAt: optional(string),
  endedAt: optional(string),
  error: optional(string),
  slurm: optional(object({ jobId: string, requeues: number })),
});

export function parseRunStatus(value: unknown, file: string): RunStatus {
  return parseVersionedFile(file, value, RUN_FORMAT_VERSION, runStatus);
}
