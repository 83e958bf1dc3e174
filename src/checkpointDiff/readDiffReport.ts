import { readJsonFile } from '../runFolder/readRunFiles';
import { parseCheckpointDiffReport, type CheckpointDiffReport } from './reportFormat';

/** A diff report file (`<run>/diffs/<A>--<B>.<hash>.json`), or a RunFileError saying why it cannot be shown. */
export function readCheckpointDiffReport(file: string): Promise<CheckpointDiffReport> {
  return readJsonFile(file, (value) => {
    const report = parseCheckpointDiffReport(value, file);
    if (report instanceof Error) throw report;
    return report;
  });
}
