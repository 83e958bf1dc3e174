import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RUN_FILES } from './runFolderFormat';

/**
 * The `name` of the experiment a run ran, from its experiment.json; undefined when the file is
 * missing (not written yet, or a folder that is not a run), torn, or names nothing.
 */
export async function readRunExperimentName(runDir: string): Promise<string | undefined> {
  try {
    const { name } = JSON.parse(await readFile(path.join(runDir, RUN_FILES.experiment), 'utf8')) as { name?: unknown };
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}
