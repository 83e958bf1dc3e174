import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseLatestCheckpoint, type LatestCheckpoint } from '../../runFolder/checkpointFiles';
import { CHECKPOINT_FILES, RUN_FILES, RUN_FORMAT_VERSION } from '../../runFolder/runFolderFormat';
import { parseRunStatus, type RunStatus } from '../../runFolder/runStatus';

function readJsonSync<T>(file: string, parse: (value: unknown, file: string) => T): T | undefined {
  try {
    return parse(JSON.parse(readFileSync(file, 'utf8')), file);
  } catch {
    return undefined;
  }
}

/**
 * Records, synchronously (the process exits right after), that a second signal ended the run
 * without a new checkpoint: `stopped` when a complete checkpoint is on disk (resume continues from
 * it; the steps after it are redone), else `failed`, since nothing of the run's training is kept.
 */
export function recordHardExit(runDir: string, signal: string): void {
  const latest: LatestCheckpoint | undefined = readJsonSync(path.join(runDir, RUN_FILES.checkpoints, CHECKPOINT_FILES.latest), parseLatestCheckpoint);
  const statusFile = path.join(runDir, RUN_FILES.status);
  const previous = readJsonSync(statusFile, parseRunStatus);
  const now = new Date().toISOString();
  const kept: RunStatus = { ...(previous ?? { version: RUN_FORMAT_VERSION, state: 'running' }) };
  delete kept.error;
  const ending = latest
    ? {
        state: 'stopped' as const,
        line: `interrupted twice (${signal}): exited without a new checkpoint; --resume ${runDir} continues from the last one (epoch ${latest.epoch}, step ${latest.stepInEpoch})`,
      }
    : {
        state: 'failed' as const,
        error: `interrupted twice (${signal}) before its first checkpoint was written; --resume ${runDir} starts it over from step 0`,
      };
  const status: RunStatus = {
    ...kept,
    version: RUN_FORMAT_VERSION,
    state: ending.state,
    pid: process.pid,
    host: os.hostname(),
    endedAt: now,
    ...('error' in ending ? { error: ending.error } : {}),
  };
  // Temp then rename, as every whole file of the run folder: a reader never sees half a status.
  const temp = `${statusFile}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(status, null, 2)}\n`);
  renameSync(temp, statusFile);
  appendFileSync(path.join(runDir, RUN_FILES.log), `${now} ${'error' in ending ? `failed: ${ending.error}` : ending.line}\n`);
}
