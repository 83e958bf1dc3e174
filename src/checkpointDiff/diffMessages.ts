import { byKind, object, oneOf, ShapeError, string, type Shape } from '../runFolder/jsonShape';

/**
 * What `kd-uda diff` tells the process that started it, over Node's IPC channel when there is one:
 * how far it has got, and why it refuses a pair or cannot evaluate it. Its output says the same
 * for people; the launcher reads only these.
 */
export type DiffMessage = { kind: 'diff-progress'; message: string } | { kind: 'diff-failed'; reason: string };

const diffMessage: Shape<DiffMessage> = byKind<DiffMessage>({
  'diff-progress': object({ kind: oneOf(['diff-progress']), message: string }),
  'diff-failed': object({ kind: oneOf(['diff-failed']), reason: string }),
});

/** The message, when `value` is one; undefined for any other. */
export function parseDiffMessage(value: unknown): DiffMessage | undefined {
  try {
    return diffMessage(value, '');
  } catch (error) {
    if (error instanceof ShapeError) return undefined;
    throw error;
  }
}
