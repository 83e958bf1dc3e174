/** Which two checkpoints a diff compares by default, and where its report goes. */
import path from 'node:path';
import type { CheckpointListing } from '../runs/listCheckpoints';
import { RUN_FILES } from '../runs/runFolderFormat';

/** Where a diff's report lives: inside the run folder, so a diff from a terminal shows up too. */
export const DIFFS_FOLDER = 'diffs';

/**
 * The pair a diff compares unless told otherwise: the latest student (A) against the latest
 * teacher (B; the first per-target teacher in MT-MTDA); else the two newest checkpoints.
 */
export function defaultCheckpointPair(entries: readonly CheckpointListing[]): [CheckpointListing, CheckpointListing] | undefined {
  const newest = (match: (role: string) => boolean) => entries.filter((entry) => match(entry.role)).sort((x, y) => y.globalStep - x.globalStep)[0];
  const student = newest((role) => role === 'student');
  const teacher = newest((role) => role === 'teacher') ?? newest((role) => role.startsWith('teacher'));
  if (student && teacher) return [student, teacher];
  const [first, second] = [...entries].sort((x, y) => y.globalStep - x.globalStep);
  return first && second ? [first, second] : undefined;
}

/** `<role> <set>` for a checkpoint folder `.../checkpoints/<role>/<set>`, else the folder name. */
export function checkpointLabel(dir: string): string {
  const set = path.basename(dir);
  const role = path.basename(path.dirname(dir));
  return path.basename(path.dirname(path.dirname(dir))) === RUN_FILES.checkpoints ? `${role} ${set}` : set;
}

/** The run folder a checkpoint folder belongs to, if it sits in one. */
export function runDirOf(checkpointDir: string): string | undefined {
  const checkpoints = path.dirname(path.dirname(checkpointDir));
  return path.basename(checkpoints) === RUN_FILES.checkpoints ? path.dirname(checkpoints) : undefined;
}

/**
 * `<runDir>/diffs/<A>--<B>.json`. A checkpoint from another run carries that run's id in its part
 * of the name, so diffs against different runs do not overwrite each other.
 */
export function diffReportFile(runDir: string, a: string, b: string): string {
  const part = (dir: string) => {
    const owner = runDirOf(dir);
    const label = checkpointLabel(dir).replace(/\s+/g, '-');
    const qualified = owner && path.resolve(owner) !== path.resolve(runDir) ? `${path.basename(owner)}-${label}` : label;
    return qualified.replace(/[^A-Za-z0-9._-]/g, '_');
  };
  return path.join(runDir, DIFFS_FOLDER, `${part(a)}--${part(b)}.json`);
}
