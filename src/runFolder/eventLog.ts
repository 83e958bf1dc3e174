import { open, readFile, type FileHandle } from 'node:fs/promises';
import { ShapeError } from './jsonShape';
import { parseRunEvent, type BadEventLine, type NewRunEvent, type ParsedEvents, type RunEvent } from './runEvents';
import { RUN_FILES } from './runFolderFormat';

/**
 * Appends events to events.jsonl one whole line at a time and flushes each to disk, so that a
 * crash loses at most the line being written and readers never see a partial event except,
 * possibly, the last line.
 */
export class EventLogWriter {
  private constructor(private readonly handle: FileHandle) {}

  static async open(file: string): Promise<EventLogWriter> {
    return new EventLogWriter(await open(file, 'a'));
  }

  async append(event: NewRunEvent): Promise<void> {
    const line = `${JSON.stringify({ t: new Date().toISOString(), ...event })}\n`;
    await this.handle.appendFile(line);
    await this.handle.datasync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/**
 * Parses events.jsonl text (`file` names it in the problems). An unterminated last line is left
 * unconsumed (the writer may still be writing it); a complete line that is not JSON or not an
 * event is reported by number and skipped. `firstLine` numbers lines of text read from the middle.
 */
export function parseEvents(text: string, file: string = RUN_FILES.events, firstLine = 1): ParsedEvents {
  const events: RunEvent[] = [];
  const badLines: BadEventLine[] = [];
  const end = text.lastIndexOf('\n') + 1;
  const lines = text.slice(0, end).split('\n');
  lines.pop();
  lines.forEach((text, index) => {
    if (text.trim() === '') return;
    const line = firstLine + index;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      badLines.push({ line, message: `${file}:${line}: not JSON: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    try {
      events.push(parseRunEvent(value));
    } catch (error) {
      if (!(error instanceof ShapeError)) throw error;
      badLines.push({ line, message: `${file}:${line}: ${error.message}` });
    }
  });
  return { events, badLines, consumed: Buffer.byteLength(text.slice(0, end)) };
}

/** Every event of an events.jsonl; none when the file does not exist yet. */
export async function readEvents(file: string): Promise<ParsedEvents> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], badLines: [], consumed: 0 };
    throw error;
  }
  return parseEvents(text, file);
}

/**
 * Follows a growing events.jsonl: each `read()` gives the events appended since the last one, so
 * following a live run reads only its new lines, however long the file has grown.
 */
export class EventLogFollower {
  private offset = 0;
  private nextLine = 1;

  constructor(readonly file: string) {}

  async read(): Promise<ParsedEvents> {
    let handle;
    try {
      handle = await open(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], badLines: [], consumed: 0 };
      throw error;
    }
    try {
      const { size } = await handle.stat();
      const buffer = Buffer.alloc(Math.max(0, size - this.offset));
      await handle.read(buffer, 0, buffer.length, this.offset);
      // A character cut by the end of the read lies after the last newline, which is left for the next read.
      const parsed = parseEvents(buffer.toString('utf8'), this.file, this.nextLine);
      this.offset += parsed.consumed;
      this.nextLine += buffer.subarray(0, parsed.consumed).filter((byte) => byte === 0x0a).length;
      return parsed;
    } finally {
      await handle.close();
    }
  }
}
