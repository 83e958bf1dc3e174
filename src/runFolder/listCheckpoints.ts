import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { readLatestJson, readMetaJson } from './readRunFiles';
import { RUN_FILES } from './runFolderFormat';
import { teachersFirstRank } from './modelRoleOrder';

/** One saved model in a run folder: `checkpoints/<role>/<set>/` (see src/trainer/runLoop/checkpointStore.ts). */
export interface CheckpointListing {
  role: string;
  /** `epoch-<n>`, or `epoch-<n>-step-<k>` for a set written mid-epoch when the run was stopped. */
  set: string;
  dir: string;
  architecture: string;
  epoch: number;
  /** Steps of `epoch` done: below the epoch's steps only for a mid-epoch set. */
  stepInEpoch: number;
  globalStep: number;
  /** model.json + weights.bin: what the model weighs on disk, without optimiser state. */
  bytes: number;
  /** Named by checkpoints/latest.json: what Resume Run continues from. */
  latest: boolean;
}

/** The folders checkpoints/latest.json names (relative to the run folder there), made absolute; none when it cannot be read. */
async function latestSets(runDir: string): Promise<Set<string>> {
  try {
    const latest = await readLatestJson(runDir);
    return new Set(Object.values(latest.roles).map((relative) => path.resolve(runDir, relative)));
  } catch {
    return new Set();
  }
}

/**
 * Every complete checkpoint of a run: the latest set and the epoch snapshots kept beside it
 * (README, Checkpoint history; a run folder from before them has the latest alone), roles in
 * table order, newest first within a role. A set
 * without a readable meta.json (still being written, or not a checkpoint) is left out; a missing
 * checkpoints folder is an empty list.
 */
export async function listCheckpoints(runDir: string): Promise<CheckpointListing[]> {
  const checkpoints = path.join(runDir, RUN_FILES.checkpoints);
  const roles = await readdir(checkpoints, { withFileTypes: true }).catch(() => []);
  const latest = await latestSets(runDir);
  const listings = await Promise.all(
    roles
      .filter((role) => role.isDirectory())
      .map(async (role) => {
        const sets = await readdir(path.join(checkpoints, role.name), { withFileTypes: true }).catch(() => []);
        return Promise.all(
          sets
            .filter((set) => set.isDirectory())
            .map(async (set): Promise<CheckpointListing | undefined> => {
              const dir = path.join(checkpoints, role.name, set.name);
              try {
                const meta = await readMetaJson(dir);
                const sizes = await Promise.all(['model.json', 'weights.bin'].map(async (name) => (await stat(path.join(dir, name))).size));
                return {
                  role: role.name,
                  set: set.name,
                  dir,
                  architecture: meta.architecture,
                  epoch: meta.epoch,
                  stepInEpoch: meta.stepInEpoch,
                  globalStep: meta.globalStep,
                  bytes: sizes[0] + sizes[1],
                  latest: latest.has(dir),
                };
              } catch {
                return undefined;
              }
            }),
        );
      }),
  );
  return listings
    .flat()
    .filter((listing): listing is CheckpointListing => listing !== undefined)
    .sort((a, b) => teachersFirstRank(a.role) - teachersFirstRank(b.role) || a.role.localeCompare(b.role) || b.globalStep - a.globalStep);
}
