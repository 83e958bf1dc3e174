import * as vscode from 'vscode';
import { watch, type FSWatcher } from 'chokidar';
import { KeyedDebouncer } from '../../util/debounce';

/** Office-31 puts images three folders below the root (`<domain>/images/<class>/`). */
const WATCH_DEPTH = 3;

const IMAGE_FILE = /\.(jpe?g|png|bmp|webp|gif|tiff?)$/i;

/**
 * Watches dataset roots on disk with chokidar and asks for a rescan of a root after its changes
 * settle. Only additions, removals and folder changes matter for image counts.
 */
export class DatasetWatcher implements vscode.Disposable {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly debouncer: KeyedDebouncer<string>;

  constructor(
    debounceMs: number,
    onSettled: (root: string) => void,
    private readonly log: (message: string) => void,
    /** Called once a root's watcher has read the tree: changes from then on are seen. */
    private readonly onWatching: (root: string) => void,
  ) {
    this.debouncer = new KeyedDebouncer(debounceMs, onSettled);
  }

  /** Watches exactly these roots: new ones start, dropped ones stop. */
  setRoots(roots: readonly string[]): void {
    const wanted = new Set(roots);
    for (const [root, watcher] of this.watchers) {
      if (wanted.has(root)) continue;
      void watcher.close();
      this.watchers.delete(root);
    }
    for (const root of wanted) {
      if (this.watchers.has(root)) continue;
      const watcher = watch(root, {
        ignoreInitial: true,
        depth: WATCH_DEPTH,
        ignored: (file) => /(^|[\\/])\.[^\\/]/.test(file.slice(root.length)),
      });
      const changed = (): void => this.debouncer.trigger(root);
      watcher.on('add', changed).on('unlink', changed).on('addDir', changed).on('unlinkDir', changed);
      // An edited list file or a replaced IDX file changes counts; an edited image does not.
      watcher.on('change', (file) => {
        if (!IMAGE_FILE.test(file)) changed();
      });
      watcher.on('ready', () => this.onWatching(root));
      watcher.on('error', (error) => this.log(`Watching ${root} failed: ${error instanceof Error ? error.message : String(error)}`));
      this.watchers.set(root, watcher);
    }
  }

  dispose(): void {
    this.debouncer.dispose();
    for (const watcher of this.watchers.values()) void watcher.close();
    this.watchers.clear();
  }
}
