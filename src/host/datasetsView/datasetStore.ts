import * as vscode from 'vscode';
import { undecodableImageIssues, withDomainIssues } from '../../datasetScan/imageHeaders';
import { listDatasetSamples, summaryWithSamples } from '../../datasetScan/listSamples';
import { findSplitFolders, type SplitFolders } from '../../datasetScan/splitFolders';
import type { DatasetSummary } from '../../datasetScan/datasetSummary';
import { combineSplits, type SplitDatasetSummary } from '../../datasetScan/splitSummary';

/** Sample paths kept per class: the dataset panel's thumbnails. */
const SAMPLES_SHOWN = 4;

export interface DatasetEntry {
  root: string;
  scanning: boolean;
  /** The scan of the root itself (of a split root: its train/ and test/ read as two domains). */
  summary?: DatasetSummary;
  /**
   * The root's own train/ and test/ (or val/) folders, each a dataset with the same domains, as
   * `split.kind: "folders"` reads them; their scans are entries of their own, rescanned with the root.
   */
  splitFolders?: SplitFolders;
}

/**
 * The latest scan of each dataset root. A rescan of a root aborts the one still in flight, so a
 * burst of changes never queues scans; readers get the last complete summary meanwhile.
 */
export class DatasetStore implements vscode.Disposable {
  private readonly entries = new Map<string, DatasetEntry>();
  private readonly inFlight = new Map<string, AbortController>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Each split root's combined summary with the two scans it was made of: made once per pair of scans. */
  private readonly combined = new Map<string, { train: DatasetSummary; test: DatasetSummary; summary: SplitDatasetSummary }>();
  /** Fires with the root whose entry changed (scan started or finished). */
  readonly onDidChange = this.changed.event;

  get(root: string): DatasetEntry | undefined {
    return this.entries.get(root);
  }

  /** Every entry held now: listed roots and the split folders scanned for them. */
  all(): DatasetEntry[] {
    return [...this.entries.values()];
  }

  /** The entry for `root`, starting its first scan if it has none. */
  ensure(root: string): DatasetEntry {
    const existing = this.entries.get(root);
    if (existing) return existing;
    // Not awaited: the entry says "scanning" until the scan ends, and rescan never rejects (a failed scan becomes an entry).
    void this.rescan(root);
    return this.entries.get(root)!;
  }

  /** Scans `root` again; resolves when this scan finished (or was superseded). */
  rescan(root: string): Promise<void> {
    this.inFlight.get(root)?.abort();
    const controller = new AbortController();
    this.inFlight.set(root, controller);
    const previous = this.entries.get(root);
    this.entries.set(root, { root, scanning: true, summary: previous?.summary, splitFolders: previous?.splitFolders });
    this.changed.fire(root);
    return Promise.all([listDatasetSamples(root, { signal: controller.signal }), findSplitFolders(root)]).then(
      async ([listing, splitFolders]) => {
        if (controller.signal.aborted) return;
        const summary = summaryWithSamples(listing, SAMPLES_SHOWN);
        this.entries.set(root, { root, scanning: false, summary, splitFolders });
        // A change under a split root is a change in one of its splits: both are read again with it.
        if (splitFolders) for (const folder of [splitFolders.train, splitFolders.test]) void this.rescan(folder);
        this.changed.fire(root);
        // The counts are shown first; which counted files are no image at all follows, from their
        // first bytes, as a warning on their domain.
        const issues = await undecodableImageIssues(listing, controller.signal);
        if (controller.signal.aborted) return;
        this.inFlight.delete(root);
        if (issues.size > 0) {
          this.entries.set(root, { root, scanning: false, summary: withDomainIssues(summary, issues), splitFolders });
          this.changed.fire(root);
        }
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        this.inFlight.delete(root);
        const message = error instanceof Error ? error.message : String(error);
        this.entries.set(root, {
          root,
          scanning: false,
          summary: { root, count: 0, domains: [], classNames: [], issues: [{ code: 'unreadable', message: `Scan failed: ${message}`, path: root }] },
        });
        this.changed.fire(root);
      },
    );
  }

  /**
   * What the views show of a root: its scan, or for a split root its splits' scans combined (as
   * `split.kind: "folders"` reads it; undefined until both ended). Starts scans it lacks.
   */
  shownSummary(root: string): DatasetSummary | undefined {
    const entry = this.ensure(root);
    const folders = entry.splitFolders;
    if (!folders) return entry.summary;
    const train = this.ensure(folders.train).summary;
    const test = this.ensure(folders.test).summary;
    if (!train || !test) return undefined;
    const cached = this.combined.get(root);
    if (cached?.train === train && cached.test === test) return cached.summary;
    const summary = combineSplits(root, train, test);
    this.combined.set(root, { train, test, summary });
    return summary;
  }

  /** Whether `root` is being scanned, or for a split root either of its splits. */
  scanning(root: string): boolean {
    const entry = this.entries.get(root);
    const folders = entry?.splitFolders;
    return (entry?.scanning ?? true) || (folders !== undefined && [folders.train, folders.test].some((folder) => this.entries.get(folder)?.scanning));
  }

  /** Whether a change of `changed`'s entry changes what shownSummary gives for `root`. */
  affects(changed: string, root: string): boolean {
    const folders = this.entries.get(root)?.splitFolders;
    return changed === root || changed === folders?.train || changed === folders?.test;
  }

  /** Forgets roots that are no longer listed (and split folders of no listed root), firing for each. */
  retain(roots: readonly string[]): void {
    const keep = new Set(roots);
    for (const root of roots) {
      const folders = this.entries.get(root)?.splitFolders;
      if (folders) keep.add(folders.train).add(folders.test);
    }
    for (const root of [...this.entries.keys()]) {
      if (keep.has(root)) continue;
      this.inFlight.get(root)?.abort();
      this.inFlight.delete(root);
      this.entries.delete(root);
      this.combined.delete(root);
      this.changed.fire(root);
    }
  }

  dispose(): void {
    for (const controller of this.inFlight.values()) controller.abort();
    this.changed.dispose();
  }
}
