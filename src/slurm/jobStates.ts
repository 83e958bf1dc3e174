/**
 * Where Slurm jobs stand, for every job the host follows, in one batched query per poll: `squeue`
 * for all of them at once (the controller's memory: jobs alive, and ended ones for MinJobAge
 * seconds), then for the ids it no longer knows one `sacct` call where the cluster keeps
 * accounting, else one `scontrol show job` (the whole list, filtered here), else `unknown`. A job
 * that is gone is never reported running. Parsing is pure and tested on real outputs.
 */
import { SlurmCommandError, slurmCommandRunner, slurmMessage, type SlurmCommandRunner } from './slurmCommand';

export const SLURM_JOB_KINDS = [
  'pending',
  'running',
  'suspended',
  'completing',
  'completed',
  'failed',
  'cancelled',
  'timeout',
  'out-of-memory',
  'node-fail',
  'preempted',
  'requeued',
  'unknown',
] as const;
export type SlurmJobKind = (typeof SLURM_JOB_KINDS)[number];

/** States a job does not leave: it ran (or was refused) and will not run again unless submitted anew. */
const FINAL_KINDS: ReadonlySet<SlurmJobKind> = new Set(['completed', 'failed', 'cancelled', 'timeout', 'out-of-memory', 'node-fail', 'preempted']);

export function isFinalJobKind(kind: SlurmJobKind): boolean {
  return FINAL_KINDS.has(kind);
}

export interface SlurmJobState {
  kind: SlurmJobKind;
  /** Slurm's own word (PENDING, OUT_OF_MEMORY, ...), to show as it is; absent for `unknown`. */
  slurmState?: string;
  /** Why a job waits (Resources, Priority, BeginTime, JobArrayTaskLimit) or why it ended (NonZeroExitCode). */
  reason?: string;
  /** The node it runs (or ran) on. */
  node?: string;
  /** `<status>:<signal>`, where the source says. */
  exitCode?: string;
  /** Which command told: squeue, sacct, scontrol; none for `unknown`. */
  source: 'squeue' | 'sacct' | 'scontrol' | 'none';
}

/** One job (or a pending range of array tasks) as a Slurm command printed it. */
export interface SlurmJobLine {
  /** `123`, `123_4`, or a pending array range `123_[4-9%2]`. */
  id: string;
  state: string;
  reason?: string;
  node?: string;
  exitCode?: string;
}

const KIND_OF_STATE: Record<string, SlurmJobKind> = {
  PENDING: 'pending',
  CONFIGURING: 'running',
  RUNNING: 'running',
  RESIZING: 'running',
  SIGNALING: 'running',
  SUSPENDED: 'suspended',
  STOPPED: 'suspended',
  COMPLETING: 'completing',
  STAGE_OUT: 'completing',
  COMPLETED: 'completed',
  FAILED: 'failed',
  SPECIAL_EXIT: 'failed',
  BOOT_FAIL: 'node-fail',
  NODE_FAIL: 'node-fail',
  CANCELLED: 'cancelled',
  REVOKED: 'cancelled',
  DEADLINE: 'timeout',
  TIMEOUT: 'timeout',
  OUT_OF_MEMORY: 'out-of-memory',
  PREEMPTED: 'preempted',
  REQUEUED: 'requeued',
  REQUEUE_FED: 'requeued',
  REQUEUE_HOLD: 'requeued',
  RESV_DEL_HOLD: 'pending',
};

/** Slurm's absent values, as its commands print them. */
const NONE = new Set(['', 'None', '(null)', 'None assigned', 'n/a', 'N/A']);

function present(value: string | undefined): string | undefined {
  return value === undefined || NONE.has(value.trim()) ? undefined : value.trim();
}

/** The typed state of a printed line (sacct writes `CANCELLED by 0`; squeue's short codes are not asked for). */
export function jobState(line: SlurmJobLine, source: SlurmJobState['source']): SlurmJobState {
  const slurmState = line.state.trim().split(/\s+/)[0].toUpperCase();
  const kind = KIND_OF_STATE[slurmState] ?? 'unknown';
  const reason = present(line.reason);
  const node = kind === 'pending' ? undefined : present(line.node);
  const exitCode = present(line.exitCode);
  return { kind, slurmState, ...(reason ? { reason } : {}), ...(node ? { node } : {}), ...(exitCode ? { exitCode } : {}), source };
}

/**
 * The job ids a printed id stands for: itself, or each task of a pending range `123_[0-3,7%2]`
 * (the `%2` is the array's throttle, not a task).
 */
export function expandJobId(id: string): string[] {
  const range = /^(\d+)_\[([^\]]+)\]$/.exec(id);
  if (!range) return [id];
  const [, arrayId, spec] = range;
  const tasks: string[] = [];
  for (const part of spec.split('%')[0].split(',')) {
    const bounds = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part);
    if (!bounds) continue;
    const first = Number(bounds[1]);
    const last = bounds[2] === undefined ? first : Number(bounds[2]);
    const step = bounds[3] === undefined ? 1 : Number(bounds[3]);
    for (let task = first; task <= last; task += step) tasks.push(`${arrayId}_${task}`);
  }
  return tasks;
}

/** The format squeue is asked for: id, long state, reason, nodes. */
export const SQUEUE_FORMAT = '%i|%T|%r|%N';

/** `squeue -h -o '%i|%T|%r|%N'` output. */
export function parseSqueue(stdout: string): SlurmJobLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [id, state, reason, node] = line.split('|');
      return { id: id.trim(), state: state ?? '', reason, node };
    });
}

/** The fields sacct is asked for. */
export const SACCT_FORMAT = 'JobID,State,ExitCode,NodeList';

/** `sacct -n -P -X -o JobID,State,ExitCode,NodeList` output. */
export function parseSacct(stdout: string): SlurmJobLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [id, state, exitCode, node] = line.split('|');
      return { id: id.trim(), state: state ?? '', exitCode, node };
    });
}

/**
 * The `Key=value` fields of one job in `scontrol show job -o` (one line per job). A value may hold
 * spaces (paths of StdOut, Command): a field runs until the next ` Key=`.
 */
export function parseScontrolFields(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const key = /(?:^|\s)([A-Za-z][\w/:]*)=/g;
  const starts: { name: string; valueAt: number; keyAt: number }[] = [];
  for (let found = key.exec(line); found; found = key.exec(line)) starts.push({ name: found[1], valueAt: found.index + found[0].length, keyAt: found.index });
  starts.forEach((start, index) => {
    const end = index + 1 < starts.length ? starts[index + 1].keyAt : line.length;
    if (!(start.name in fields)) fields[start.name] = line.slice(start.valueAt, end).trim();
  });
  return fields;
}

/** `scontrol show job -o` output: one line per job; an array task is named `<array id>_<task>`, a pending range `<array id>_[...]`. */
export function parseScontrolJobs(stdout: string): SlurmJobLine[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('JobId='))
    .map((line) => {
      const fields = parseScontrolFields(line);
      const task = fields.ArrayTaskId;
      const id = fields.ArrayJobId && task ? (/^\d+$/.test(task) ? `${fields.ArrayJobId}_${task}` : `${fields.ArrayJobId}_[${task}]`) : fields.JobId;
      return { id, state: fields.JobState ?? '', reason: fields.Reason, node: fields.NodeList, exitCode: fields.ExitCode };
    });
}

/** Each asked id that `lines` tell about, with its state: a task in a pending range counts. */
function statesOf(lines: readonly SlurmJobLine[], asked: ReadonlySet<string>, source: SlurmJobState['source']): Map<string, SlurmJobState> {
  const found = new Map<string, SlurmJobState>();
  for (const line of lines) {
    for (const id of expandJobId(line.id)) if (asked.has(id) && !found.has(id)) found.set(id, jobState(line, source));
  }
  return found;
}

/** `123` for `123_4`: the job squeue and sacct are asked about. */
function baseId(id: string): string {
  return id.split('_')[0];
}

const UNKNOWN: SlurmJobState = { kind: 'unknown', source: 'none' };

/**
 * Asks Slurm about many jobs at once. Remembers whether the cluster keeps accounting, so sacct is
 * asked only where it can answer. One instance per cluster, kept between polls.
 */
export class SlurmJobStates {
  /** Whether sacct answers here; unknown until first asked. */
  private accounting: boolean | undefined;

  constructor(private readonly run: SlurmCommandRunner = slurmCommandRunner()) {}

  /**
   * The state of every job in `jobIds` (`123`, or `123_4` for an array task), in at most three
   * commands whatever their number: squeue, then sacct or scontrol for the ids squeue no longer
   * has. Throws SlurmCommandError when squeue itself cannot answer (no controller): then nothing
   * is known, which is not the same as every job being gone.
   */
  async query(jobIds: readonly string[]): Promise<Map<string, SlurmJobState>> {
    const asked = new Set(jobIds);
    const states = new Map<string, SlurmJobState>();
    if (asked.size === 0) return states;
    const bases = [...new Set([...asked].map(baseId))];
    const queued = await this.run('squeue', ['-h', '-t', 'all', '-j', bases.join(','), '-o', SQUEUE_FORMAT]);
    // Every id gone from the controller: squeue says "Invalid job id specified" and fails.
    if (queued.code !== 0 && !/Invalid job id/i.test(queued.stderr)) throw new SlurmCommandError(`squeue failed: ${slurmMessage(queued)}`, 'squeue');
    for (const [id, state] of statesOf(queued.code === 0 ? parseSqueue(queued.stdout) : [], asked, 'squeue')) states.set(id, state);
    const missing = () => new Set([...asked].filter((id) => !states.has(id)));
    if (missing().size && this.accounting !== false) {
      const ids = [...new Set([...missing()].map(baseId))];
      const accounted = await this.run('sacct', ['-n', '-P', '-X', '-j', ids.join(','), '-o', SACCT_FORMAT]);
      if (accounted.code === 0) {
        this.accounting = true;
        for (const [id, state] of statesOf(parseSacct(accounted.stdout), missing(), 'sacct')) states.set(id, state);
      } else if (/accounting storage is disabled|slurmdbd/i.test(slurmMessage(accounted))) {
        this.accounting = false;
      }
    }
    if (missing().size) {
      const shown = await this.run('scontrol', ['show', 'job', '-o']);
      if (shown.code === 0) for (const [id, state] of statesOf(parseScontrolJobs(shown.stdout), missing(), 'scontrol')) states.set(id, state);
    }
    for (const id of missing()) states.set(id, UNKNOWN);
    return states;
  }
}
