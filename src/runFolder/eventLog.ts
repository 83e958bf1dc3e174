import { open, readFile, type FileHandle } from 'node:fs/promises';
import type { RunEvent } from './runFolderFormat';

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

  async append(event: Omit<RunEvent, 't'> & { t?: string }): Promise<void> {
    const line = `${JSON.stringify({ t: new Date().toISOString(), ...event })}\n`;
    await this.handle.appendFile(line);
    await this.handle.datasync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

export interface ParsedEvents {
  events: RunEvent[];
  /** 1-based lines that could not be read (a torn last line is expected after a crash). */
  badLines: { line: number; reason: string }[];
  /** Bytes consumed: a reader that follows the file resumes from here. */
  consumed: number;
}

/**
 * Parses events.jsonl text. An unterminated last line is left unconsumed (the writer may still be
 * writing it); a malformed complete line is reported by number and skipped.
 */
export function parseEvents(text: string): ParsedEvents {
  const events: RunEvent[] = [];
  const badLines: ParsedEvents['badLines'] = [];
  const end = text.lastIndexOf('\n') + 1;
  const lines = text.slice(0, end).split('\n');
  lines.pop();
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const value = JSON.parse(line) as unknown;
      if (typeof value !== 'object' || value === null || typeof (value as RunEvent).kind !== 'string') throw new Error('not an event object with a "kind"');
      events.push(value as RunEvent);
    } catch (error) {
      badLines.push({ line: index + 1, reason: error instanceof Error ? error.message : String(error) });
    }
  });
  return { events, badLines, consumed: Buffer.byteLength(text.slice(0, end)) };
}

export async function readEvents(file: string): Promise<ParsedEvents> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], badLines: [], consumed: 0 };
    throw error;
  }
  return parseEvents(text);
}
