/**
 * An experiment file's `executor`: where its runs execute. It changes no result, so it is not part
 * of the resolved experiment a run folder records (nor of a sweep's id); the schema describes each
 * field (schemas/experiment.schema.json).
 */
export type ExecutorSetting = LocalExecutorSetting | SlurmExecutorSetting;

/** Child processes of this machine (the default). */
export interface LocalExecutorSetting {
  kind: 'local';
}

/** Batch jobs on a Slurm cluster whose nodes share the run folders. */
export interface SlurmExecutorSetting {
  kind: 'slurm';
  partition?: string;
  /** sbatch --time, as Slurm writes it (`1:00:00`, `2-00:00:00`). */
  time?: string;
  cpusPerTask?: number;
  /** sbatch --mem (`16G`). */
  mem?: string;
  /** sbatch --gres (`gpu:1`). */
  gres?: string;
  account?: string;
  qos?: string;
  /** Further sbatch options, each one argument. */
  sbatchArgs?: string[];
  /** Shell lines the job runs before the trainer (module loads, conda activate). */
  setup?: string[];
  /** The node binary on the cluster's nodes. */
  nodePath?: string;
  /** How long before the time limit the trainer is signalled to checkpoint and requeue its job. */
  signalSeconds?: number;
  /** How many times a run requeues its own job before it stops at the time limit. */
  maxRequeues?: number;
  /** At most this many jobs of a sweep's array run at once (`--array=0-N%K`). */
  arrayParallelism?: number;
}
