import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RunFileError } from '../../runFolder/jsonShape';
import { readLockJson } from '../../runFolder/readRunFiles';
import { RUN_FILES, RUN_FORMAT_VERSION } from '../../runFolder/runFolderFormat';
import { lockHolder, parseRunLock, type RunLock } from '../../runFolder/runLock';

/** Another trainer writes the run folder (or may): the message names it and what to do. */
export class RunLockedError extends Error {}

/** The lock this process holds; released when training ends, or synchronously on the way out of a hard exit. */
export interface HeldRunLock {
  release(): Promise<void>;
  releaseSync(): void;
}

/**
 * Takes `<runDir>/lock.json` for this process, or throws RunLockedError naming the holder. The
 * lock is written beside its name and hard-linked into place: the link fails if a lock exists,
 * and a lock that exists is always whole. A holder that is provably gone (this machine, no such
 * process: killed with -9, out of memory) is taken over; one on another machine is never guessed at.
 */
export async function takeRunLock(runDir: string): Promise<HeldRunLock> {
  const file = path.join(runDir, RUN_FILES.lock);
  const mine: RunLock = { version: RUN_FORMAT_VERSION, host: os.hostname(), pid: process.pid, startedAt: new Date().toISOString() };
  const text = `${JSON.stringify(mine, null, 2)}\n`;
  // A few rounds: each either takes the lock, refuses, or clears a dead holder's lock for the next.
  for (let round = 0; round < 5; round++) {
    if (await linkNew(file, text)) return held(file, text);
    let holder: RunLock;
    try {
      holder = await readLockJson(runDir);
    } catch (error) {
      if (error instanceof RunFileError && error.problem === 'missing') continue; // released meanwhile
      throw new RunLockedError(
        `${runDir} has a lock file that cannot be read (${error instanceof Error ? error.message : String(error)}). If no trainer is writing this run folder, delete ${file} and run the command again.`,
      );
    }
    const who = `pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}`;
    const state = lockHolder(holder);
    if (state === 'alive')
      throw new RunLockedError(
        `${runDir} is being written by another trainer (${who}); a run folder has one writer. Wait for it to end, or stop it (SIGTERM) and resume then.`,
      );
    if (state === 'elsewhere')
      throw new RunLockedError(
        `${runDir} is locked by a trainer on another machine (${who}), which cannot be checked from here. If it no longer runs there, delete ${file} and run the command again.`,
      );
    await clearDeadLock(file, holder);
  }
  throw new RunLockedError(`${runDir}: could not take ${file}: other trainers keep taking it`);
}

/** Creates `file` with `text` unless it exists; whether it did. */
async function linkNew(file: string, text: string): Promise<boolean> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, text, { flag: 'wx' });
  try {
    await link(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Removes a dead holder's lock. Moved aside first, then checked: if another trainer cleared it
 * and took the lock in between, the moved file is that live lock, and it goes back.
 */
async function clearDeadLock(file: string, dead: RunLock): Promise<void> {
  const aside = `${file}.${randomBytes(6).toString('hex')}.dead`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved: Partial<RunLock> = parseRunLock(JSON.parse(await readFile(aside, 'utf8')) as unknown, aside);
  if (moved.pid !== dead.pid || moved.startedAt !== dead.startedAt || moved.host !== dead.host) {
    await link(aside, file).catch(() => undefined);
  }
  await rm(aside, { force: true });
}

function held(file: string, text: string): HeldRunLock {
  // Removed only while it is still this process's lock (a person may have deleted it by hand).
  const isMine = (current: string | undefined) => current === text;
  return {
    async release() {
      if (isMine(await readFile(file, 'utf8').catch(() => undefined))) await unlink(file).catch(() => undefined);
    },
    releaseSync() {
      let current: string | undefined;
      try {
        current = readFileSync(file, 'utf8');
      } catch {
        return;
      }
      if (isMine(current)) unlinkSync(file);
    },
  };
}
