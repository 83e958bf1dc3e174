import { number, object, oneOf, ShapeError, string, type Shape } from './jsonShape';

/**
 * What `kd-uda train` tells the process that started it, over Node's IPC channel when there is
 * one: the run folder it writes and its process id, which the folder's start (or resume) event
 * carries too. The launcher reads everything else from the folder, never from the human log.
 */
export interface RunFolderAnnouncement {
  kind: 'run-folder';
  runDir: string;
  pid: number;
}

const announcement: Shape<RunFolderAnnouncement> = object({ kind: oneOf(['run-folder']), runDir: string, pid: number });

/** The announcement, when `message` is one; undefined for any other message. */
export function parseRunFolderAnnouncement(message: unknown): RunFolderAnnouncement | undefined {
  try {
    return announcement(message, '');
  } catch (error) {
    if (error instanceof ShapeError) return undefined;
    throw error;
  }
}
