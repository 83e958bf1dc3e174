import * as vscode from 'vscode';
import type { ExecutorSetting } from '../../experiment/executorSetting';
import type { SlurmExecutorSpec } from '../../slurm/slurmExecutor';

/**
 * Where an experiment's runs execute: its own `executor`, else the `kdUda.executor` setting. A
 * Slurm executor takes its values from the experiment first, then from `kdUda.slurm` (a cluster
 * user's partition, account and set-up lines, written once in the user settings).
 */
export function chooseExecutor(fromExperiment: ExecutorSetting | undefined): ExecutorSetting {
  const config = vscode.workspace.getConfiguration('kdUda');
  const kind = fromExperiment?.kind ?? config.get<'local' | 'slurm'>('executor') ?? 'local';
  if (kind === 'local') return { kind: 'local' };
  return { ...slurmDefaults(), ...(fromExperiment?.kind === 'slurm' ? fromExperiment : {}), kind: 'slurm' };
}

/** `kdUda.slurm` without the values left empty (the settings editor writes "" for a cleared field). */
export function slurmDefaults(): Omit<SlurmExecutorSpec, 'kind'> {
  const configured = vscode.workspace.getConfiguration('kdUda').get<Record<string, unknown>>('slurm') ?? {};
  return Object.fromEntries(Object.entries(configured).filter(([, value]) => value !== '' && value !== null && !(Array.isArray(value) && value.length === 0)));
}
