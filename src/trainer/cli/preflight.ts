import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Experiment } from '../../experiment/experiment';
import { problemAtField, type ExperimentProblem } from '../../experiment/validateExperiment';
import type { BackendReport } from '../backends/backendTypes';
import { MODEL_JSON } from '../checkpoints/fileModelIO';
import { DataError } from '../data/dataError';
import { loadDataset, type DataSelection, type LoadedDataset } from '../data/dataset';
import { findUndecodableFiles } from '../../datasetScan/imageHeaders';
import type { DataProblem } from '../data/samples';
import { firstPaths } from '../data/skippedImages';
import { startBackend } from './startBackend';

/** What a run starts with once nothing stands in its way: the data read once, the backend started. */
export interface Preflight {
  dataset: LoadedDataset;
  /** Warnings about the data (bad list lines, files the decoder will not read), one event each. */
  dataProblems: DataProblem[];
  /** The same in a few lines for people: the terminal and trainer.log. */
  warnings: string[];
  backend: BackendReport;
  /** The backend's own lines (what runs, what was skipped and why), for the run's log. */
  backendLog: string[];
}

/** Every reason a run cannot start, each placed on its experiment field. */
export class PreflightError extends Error {
  constructor(readonly problems: readonly ExperimentProblem[]) {
    super(problems.map((problem) => problem.message).join('\n'));
    this.name = 'PreflightError';
  }
}

export interface PreflightRequest {
  experiment: Experiment;
  /** The experiment file's text, to place problems on their lines; none for a recorded experiment.json. */
  text?: string;
  /** Warm starts matter only to a run that starts from step 0. */
  checkWarmStarts: boolean;
}

/** The selected domains' images whose headers are no format the decoder reads, as warnings; a domain of nothing else stops the run. */
async function headerProblems(
  dataset: LoadedDataset,
  experiment: Experiment,
  text: string | undefined,
): Promise<{ undecodable: DataProblem[]; warnings: string[]; problems: ExperimentProblem[] }> {
  const undecodableFiles: DataProblem[] = [];
  const warnings: string[] = [];
  const problems: ExperimentProblem[] = [];
  for (const domain of [dataset.source, ...dataset.targets]) {
    const undecodable = await findUndecodableFiles(
      [...domain.train, ...domain.test].flatMap((sample) => (sample.source.kind === 'file' ? [sample.source.path] : [])),
    );
    if (undecodable.length === 0) continue;
    const trainable = domain.train.filter((sample) => sample.source.kind !== 'file' || !undecodable.includes(sample.source.path));
    const one = undecodable.length === 1;
    const what = `${undecodable.length} ${one ? 'image' : 'images'} of domain "${domain.name}" ${one ? 'is' : 'are'} not PNG, JPEG, BMP, GIF, WebP or TIFF by ${one ? 'its' : 'their'} first bytes`;
    if (trainable.length === 0) {
      const field = domain === dataset.source ? 'data.source' : `data.targets[${experiment.data.targets.indexOf(domain.name)}]`;
      problems.push(problemAtField(text, 'file', field, `${what}, which leaves it no image to train on: ${firstPaths(undecodable)}`));
      continue;
    }
    for (const file of undecodable)
      undecodableFiles.push({
        code: 'undecodable-image',
        message: `${file} is not an image the decoder reads (by its first bytes); it will be skipped`,
        domain: domain.name,
        path: file,
      });
    warnings.push(`warning: ${what}; ${one ? 'it' : 'they'} will be skipped: ${firstPaths(undecodable)}`);
  }
  return { undecodable: undecodableFiles, warnings, problems };
}

/**
 * Everything a run needs that is not in the experiment file itself, checked before a run folder
 * exists so that a mistake costs no folder and no stack trace: the data (root, layout, domains,
 * class sets, splits: one scan, whose result the run then trains on), the images' headers, the
 * warm-start checkpoints, and the backend. Throws a PreflightError naming every problem at once.
 */
export async function preflight({ experiment, text, checkWarmStarts }: PreflightRequest): Promise<Preflight> {
  const problems: ExperimentProblem[] = [];
  const dataProblems: DataProblem[] = [];
  const warnings: string[] = [];
  const backendLog: string[] = [];
  const { data } = experiment;
  const selection: DataSelection = {
    root: data.root,
    layout: data.layout,
    source: data.source,
    targets: data.targets,
    split: data.split,
    seed: experiment.seed,
  };

  // The backend starts while the data is scanned: neither waits for the other, and neither makes a tensor.
  const [datasetResult, backendResult] = await Promise.allSettled([
    loadDataset(selection, { onProblem: (problem) => dataProblems.push(problem) }),
    startBackend(experiment.backend, (line) => backendLog.push(line)),
  ]);
  let dataset: LoadedDataset | undefined;
  if (datasetResult.status === 'fulfilled') {
    dataset = datasetResult.value;
    const headers = await headerProblems(dataset, experiment, text);
    dataProblems.push(...headers.undecodable);
    warnings.push(...headers.warnings);
    problems.push(...headers.problems);
  } else if (datasetResult.reason instanceof DataError) {
    for (const problem of datasetResult.reason.problems) problems.push(problemAtField(text, 'file', problem.field ?? 'data', problem.message));
  } else {
    throw datasetResult.reason;
  }
  if (backendResult.status === 'rejected') {
    const reason: unknown = backendResult.reason;
    problems.push(problemAtField(text, 'file', 'backend', reason instanceof Error ? reason.message : String(reason)));
  }
  if (checkWarmStarts) {
    for (const role of ['teacher', 'student'] as const) {
      const checkpoint = experiment[role].warmStart;
      if (!checkpoint) continue;
      const modelFile = path.join(checkpoint, MODEL_JSON);
      const missing = await access(modelFile).then(
        () => false,
        () => true,
      );
      if (missing)
        problems.push(
          problemAtField(
            text,
            'file',
            `${role}.warmStart`,
            `no checkpoint at ${checkpoint}: ${modelFile} does not exist (warmStart names a checkpoint folder, such as <run>/checkpoints/${role}/epoch-<n>)`,
          ),
        );
    }
  }
  if (problems.length > 0 || !dataset || backendResult.status === 'rejected') throw new PreflightError(problems);
  return { dataset, dataProblems, warnings, backend: backendResult.value, backendLog };
}
