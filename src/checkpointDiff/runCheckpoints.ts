/** Which two checkpoints a diff compares by default, and where its report goes. */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { CheckpointListing } from '../runFolder/listCheckpoints';
import { RUN_FILES } from '../runFolder/runFolderFormat';
import { isRecord } from '../util/isRecord';

/** Where a diff's report lives: inside the run folder, so a diff from a terminal shows up too. */
export const DIFFS_FOLDER = 'diffs';

/**
 * The pair a diff compares unless told otherwise: the latest student (A) against the latest
 * teacher (B; the first per-target teacher in MT-MTDA), or for online-kd the first branch against
 * the aggregate that teaches it; else the two newest checkpoints.
 */
export function defaultCheckpointPair(entries: readonly CheckpointListing[]): [CheckpointListing, CheckpointListing] | undefined {
  const newest = (match: (role: string) => boolean) => entries.filter((entry) => match(entry.role)).sort((x, y) => y.globalStep - x.globalStep)[0];
  const student = newest((role) => role === 'student') ?? newest((role) => role === 'branch-1');
  const teacher = newest((role) => role === 'teacher') ?? newest((role) => role.startsWith('teacher')) ?? newest((role) => role === 'aggregate');
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

/** Hex digits of the hash of both checkpoint folders that ends a report's name. */
const PAIR_HASH_LENGTH = 10;

/**
 * `<runDir>/diffs/<A>--<B>.<hash>.json`. `<A>` and `<B>` are readable (a checkpoint from another
 * run carries that run's id), but two different pairs can read the same (`/x/epoch-3` and
 * `/y/epoch-3`; `teacher-a/epoch-3` and `teacher/a-epoch-3`), so `<hash>` is the start of the
 * SHA-256 of both resolved folder paths, in order: each pair has its own report.
 */
export function diffReportFile(runDir: string, a: string, b: string): string {
  const part = (dir: string) => {
    const owner = runDirOf(dir);
    const label = checkpointLabel(dir).replace(/\s+/g, '-');
    const qualified = owner && path.resolve(owner) !== path.resolve(runDir) ? `${path.basename(owner)}-${label}` : label;
    return qualified.replace(/[^A-Za-z0-9._-]/g, '_');
  };
  const hash = createHash('sha256')
    .update(`${path.resolve(a)}\0${path.resolve(b)}`)
    .digest('hex')
    .slice(0, PAIR_HASH_LENGTH);
  return path.join(runDir, DIFFS_FOLDER, `${part(a)}--${part(b)}.${hash}.json`);
}

/** `[A, B]` from a report file's name (`<A>--<B>.<hash>.json`, or an older `<A>--<B>.json`), for titles. */
export function diffReportPairLabel(reportFile: string): string[] {
  const name = path.basename(reportFile, '.json').replace(new RegExp(`\\.[0-9a-f]{${PAIR_HASH_LENGTH}}$`), '');
  return name.split('--');
}

/**
 * Whether a report (parsed JSON) compares exactly checkpoints `a` (as A) and `b` (as B): its
 * `a.dir` and `b.dir` are the resolved folders. A report found under the expected name may still
 * be another pair's (an older naming, a copied run folder), and must not be shown for this one.
 */
export function diffReportComparesPair(report: unknown, a: string, b: string): boolean {
  if (!isRecord(report) || !isRecord(report.a) || !isRecord(report.b)) return false;
  const [dirA, dirB] = [report.a.dir, report.b.dir];
  return typeof dirA === 'string' && typeof dirB === 'string' && path.resolve(dirA) === path.resolve(a) && path.resolve(dirB) === path.resolve(b);
}
