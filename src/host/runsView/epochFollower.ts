import { watch, type FSWatcher } from 'chokidar';
import path from 'node:path';
import { EventLogFollower } from '../../runFolder/eventLog';
import type { EpochEvent, RunEvent, StartEvent } from '../../runFolder/runEvents';
import { RUN_FILES } from '../../runFolder/runFolderFormat';

/** How long after a write to events.jsonl its new lines are read: a step writes one, many a second. */
const READ_DELAY_MS = 250;

/**
 * Which trainer session's epochs are followed: the one a process on this machine started (its pid),
 * or, for a trainer elsewhere (a Slurm node), the first one to start after `since`.
 */
export type FollowedSession = { pid: number } | { since: Date };

/**
 * Follows one trainer's epochs in its run folder: the epoch events of events.jsonl, the newest of
 * each read, and, to whoever tracks steps, every event of the session as read. Only the events from
 * the followed session's start (or resume) event on count: a resumed run's earlier sessions are not
 * its progress.
 */
export class EpochFollower {
  private readonly events: EventLogFollower;
  private readonly watcher: FSWatcher;
  private started = false;
  /** At most one read at a time, and at most one waiting: a burst of writes is one read. */
  private reading: Promise<void> = Promise.resolve();
  private readQueued = false;
  private disposed = false;

  constructor(
    runDir: string,
    private readonly session: FollowedSession,
    private readonly onEpoch: (event: EpochEvent) => void,
    private readonly onError: (message: string) => void,
    /** The followed session's events of each read that found any, in order, its start event first. */
    private readonly onSessionEvents?: (events: RunEvent[]) => void,
  ) {
    const file = path.join(runDir, RUN_FILES.events);
    this.events = new EventLogFollower(file);
    this.watcher = watch(runDir, { ignoreInitial: true, depth: 0 });
    this.watcher.on('all', (_event, changed) => {
      if (changed === file) this.queueRead();
    });
    // Whatever the trainer wrote before the watcher was ready raised no event.
    this.watcher.on('ready', () => this.queueRead());
  }

  private queueRead(): void {
    if (this.readQueued) return;
    this.readQueued = true;
    this.reading = this.reading
      .then(() => new Promise((resolve) => setTimeout(resolve, READ_DELAY_MS)))
      .then(() => {
        this.readQueued = false;
        return this.read();
      })
      .catch((error: unknown) => this.onError(`${this.events.file}: ${error instanceof Error ? error.message : String(error)}`));
  }

  private async read(): Promise<void> {
    if (this.disposed) return;
    const { events } = await this.events.read();
    let latest: EpochEvent | undefined;
    const session: RunEvent[] = [];
    for (const event of events) {
      if ((event.kind === 'start' || event.kind === 'resume') && this.isFollowedSession(event)) this.started = true;
      if (!this.started) continue;
      session.push(event);
      if (event.kind === 'epoch') latest = event;
    }
    if (this.disposed) return;
    if (session.length) this.onSessionEvents?.(session);
    if (latest !== undefined) this.onEpoch(latest);
  }

  private isFollowedSession(event: StartEvent): boolean {
    return 'pid' in this.session ? event.pid === this.session.pid : Date.parse(event.t) >= this.session.since.getTime();
  }

  dispose(): void {
    this.disposed = true;
    void this.watcher.close();
  }
}
