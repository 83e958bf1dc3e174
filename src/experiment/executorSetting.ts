import type { SlurmExecutorSpec } from '../slurm/slurmExecutor';

/**
 * An experiment file's `executor`: where its runs execute. It changes no result, so it is not part
 * of the resolved experiment a run folder records (nor of a sweep's id); the schema describes each
 * field (schemas/experiment.schema.json), and a Slurm executor is src/slurm's own type.
 */
export type ExecutorSetting = LocalExecutorSetting | SlurmExecutorSpec;

/** Child processes of this machine (the default). */
export interface LocalExecutorSetting {
  kind: 'local';
}
