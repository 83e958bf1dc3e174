/**
 * Throwaway VS Code workspaces holding small generated datasets, for the integration and e2e
 * tests (and the `npm start` demo).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeExperiment } from '../fixtures/experiments';
import { createImageTree, type TreeSpec } from '../fixtures/imageTree';

/** 2 domains x 2 classes x 3 images = 12 images: "ImageFolder · 2 domains · 12 images". */
export const DEFAULT_DATASET_SPEC: TreeSpec = {
  mnist: { '0': 3, '1': 3 },
  'mnist-photo': { '0': 3, '1': 3 },
};

export interface TestWorkspaceOptions {
  /** Parent folder; a fresh temp folder (`kduda-ws-*` under the OS temp dir) when absent. */
  dir?: string;
  /** Name of the dataset folder inside the workspace (the tree's root label). Default `digits`. */
  datasetName?: string;
  /** domain -> class -> image count. Default `DEFAULT_DATASET_SPEC`. */
  spec?: TreeSpec;
  layout?: 'imagefolder' | 'office31';
  /** How `kdUda.datasets` names the root: workspace-relative (`./digits`, default) or absolute. */
  settingPath?: 'relative' | 'absolute';
  /** Put the dataset into the `kdUda.datasets` setting (default true). */
  datasetSetting?: boolean;
  /** Extra workspace settings for `.vscode/settings.json`. */
  settings?: Record<string, unknown>;
  /** Write `<name>.kdexp.json` experiment files: file name (without extension) -> JSON content. */
  experiments?: Record<string, unknown>;
}

export interface TestWorkspace {
  /** The workspace folder to open. */
  root: string;
  /** Absolute path of the generated dataset root. */
  datasetRoot: string;
  datasetName: string;
  spec: TreeSpec;
  /** `.vscode/settings.json` */
  settingsFile: string;
  /** Total images per domain and overall, as the tree should show them. */
  counts: { total: number; domains: Record<string, number> };
  /** Removes the workspace (only when the harness created its parent folder). */
  dispose(): Promise<void>;
}

export function countImages(spec: TreeSpec): { total: number; domains: Record<string, number> } {
  const domains: Record<string, number> = {};
  let total = 0;
  for (const [domain, classes] of Object.entries(spec)) {
    domains[domain] = Object.values(classes).reduce((sum, n) => sum + n, 0);
    total += domains[domain];
  }
  return { total, domains };
}

/** A workspace folder with a generated ImageFolder dataset and `.vscode/settings.json` pointing at it. */
export async function createTestWorkspace(options: TestWorkspaceOptions = {}): Promise<TestWorkspace> {
  const created = !options.dir;
  const root = options.dir ? path.resolve(options.dir) : await mkdtemp(path.join(os.tmpdir(), 'kduda-ws-'));
  await mkdir(root, { recursive: true });
  const datasetName = options.datasetName ?? 'digits';
  const spec = options.spec ?? DEFAULT_DATASET_SPEC;
  const datasetRoot = path.join(root, datasetName);
  await createImageTree(datasetRoot, spec, { layout: options.layout });

  const settings: Record<string, unknown> = { ...options.settings };
  if (options.datasetSetting ?? true) {
    settings['kdUda.datasets'] = [options.settingPath === 'absolute' ? datasetRoot : `./${datasetName}`];
  }
  const settingsFile = path.join(root, '.vscode', 'settings.json');
  await mkdir(path.dirname(settingsFile), { recursive: true });
  await writeFile(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);

  for (const [name, content] of Object.entries(options.experiments ?? {})) await writeExperiment(root, name, content);

  return {
    root,
    datasetRoot,
    datasetName,
    spec,
    settingsFile,
    counts: countImages(spec),
    dispose: async () => {
      if (created) await rm(root, { recursive: true, force: true });
    },
  };
}
