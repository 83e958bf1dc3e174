import { readExperimentJson } from './readRunFiles';

/**
 * The `name` of the experiment a run ran, from its experiment.json; undefined when the file is
 * missing (not written yet, or a folder that is not a run), unreadable, or names nothing.
 */
export async function readRunExperimentName(runDir: string): Promise<string | undefined> {
  try {
    const { name } = await readExperimentJson(runDir);
    return name ? name : undefined;
  } catch {
    return undefined;
  }
}
