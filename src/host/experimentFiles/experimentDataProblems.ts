import { datasetCheckProblems, type ExperimentDataScan } from '../../experiment/datasetCheck';
import { datasetRootOfExperiment } from '../../experiment/datasetRoot';
import { problemAtField, type ExperimentProblem } from '../../experiment/validateExperiment';
import { isRecord } from '../../util/isRecord';

/** The scans of a root (and of its split folders when the experiment reads them), from the store. */
export type ScanOf = (root: string, readsSplitFolders: boolean) => Promise<ExperimentDataScan | undefined>;

/**
 * What the scan of an experiment file's dataset says against its `data`, placed on the offending
 * values in the text. `data.root` is resolved against the file's folder, as the trainer, started
 * there, resolves it. Nothing while the text is no JSON, names no root, or its scan has not ended.
 */
export async function experimentDataProblems(text: string, file: string, scanOf: ScanOf): Promise<ExperimentProblem[]> {
  const root = datasetRootOfExperiment(text, file);
  if (!root) return [];
  const data = (JSON.parse(text) as { data: unknown }).data;
  const readsSplitFolders = isRecord(data) && isRecord(data.split) && data.split.kind === 'folders';
  const scan = await scanOf(root, readsSplitFolders);
  if (!scan) return [];
  return datasetCheckProblems(data, scan).map((problem) => problemAtField(text, 'file', problem.field, problem.message));
}
