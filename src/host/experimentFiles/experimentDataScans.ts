import type * as vscode from 'vscode';
import type { DatasetSummary } from '../../datasetScan/datasetSummary';
import { findSplitFolders } from '../../datasetScan/splitFolders';
import type { ExperimentDataScan } from '../../experiment/datasetCheck';
import type { DatasetStore } from '../datasetsView/datasetStore';

/**
 * The scans an experiment's data check reads, from the Datasets view's store (one scan per root
 * for the view, the diagnostics, the completions and Start Run): the root's, and its own train/
 * and test/ folders' when `split.kind` is "folders".
 */
export class ExperimentDataScans {
  constructor(private readonly store: DatasetStore) {}

  /** Fires with a root whose scan started or ended. */
  get onDidChange(): vscode.Event<string> {
    return this.store.onDidChange;
  }

  /**
   * What the store holds now, starting the scans it lacks; undefined until the root's first scan
   * has ended (an editor shows nothing rather than a guess, and updates on onDidChange).
   */
  async current(root: string, readsSplitFolders: boolean): Promise<ExperimentDataScan | undefined> {
    return this.assemble(root, readsSplitFolders, (folder) => Promise.resolve(this.store.ensure(folder).summary));
  }

  /** Scans taken now (Start Run decides on them): the view's copy may predate the last change on disk. */
  async fresh(root: string, readsSplitFolders: boolean): Promise<ExperimentDataScan | undefined> {
    return this.assemble(root, readsSplitFolders, async (folder) => {
      await this.store.rescan(folder);
      return this.store.get(folder)?.summary;
    });
  }

  private async assemble(
    root: string,
    readsSplitFolders: boolean,
    summaryOf: (folder: string) => Promise<DatasetSummary | undefined>,
  ): Promise<ExperimentDataScan | undefined> {
    const [summary, folders] = await Promise.all([summaryOf(root), findSplitFolders(root)]);
    if (!summary) return undefined;
    if (!folders || !readsSplitFolders) return { summary, hasSplitFolders: folders !== undefined };
    const [train, test] = await Promise.all([summaryOf(folders.train), summaryOf(folders.test)]);
    return { summary, hasSplitFolders: true, ...(train && test ? { splitFolders: { train, test } } : {}) };
  }
}
