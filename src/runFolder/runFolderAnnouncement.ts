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

/**
 * What `kd-uda train` tells its launcher when it refuses to start (exit 2, no run folder): every
 * problem with the experiment, its data, its warm starts or its backend, one per line, as the
 * terminal shows them. The launcher shows this reason rather than the output's last lines.
 */
export interface TrainRefusal {
  kind: 'train-refused';
  reason: string;
}

const refusal: Shape<TrainRefusal> = object({ kind: oneOf(['train-refused']), reason: string });

/** The refusal, when `message` is one; undefined for any other message. */
export function parseTrainRefusal(message: unknown): TrainRefusal | undefined {
  try {
    return refusal(message, '');
  } catch (error) {
    if (error instanceof ShapeError) return undefined;
    throw error;
  }
}
