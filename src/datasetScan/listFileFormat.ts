/**
 * The ImageCLEF-DA list-file format: one `<relative/path.jpg> <integer label>` per line; blank
 * lines and `#` comments are allowed. Each list file is one domain.
 */

export type ListLine = { kind: 'blank' } | { kind: 'entry'; imagePath: string; label: number } | { kind: 'malformed' };

/** The path may contain spaces, so the label is the last field. Nine digits keep it a safe integer. */
const ENTRY = /^(\S.*?)\s+(\d{1,9})$/;

export function parseListLine(line: string): ListLine {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return { kind: 'blank' };
  const match = ENTRY.exec(text);
  return match ? { kind: 'entry', imagePath: match[1], label: Number(match[2]) } : { kind: 'malformed' };
}

/** Files that name the classes (one a line, line k naming label k) rather than list images. */
export const CLASS_NAME_FILES: readonly string[] = ['classes.txt', 'class_names.txt'];

export function isListFileName(name: string): boolean {
  return name.toLowerCase().endsWith('.txt') && !CLASS_NAME_FILES.includes(name.toLowerCase());
}

/** `bList.txt` -> `b`, `amazon_list.txt` -> `amazon`, `webcam.txt` -> `webcam`. */
export function domainNameOfListFile(fileName: string): string {
  const base = fileName.replace(/\.txt$/i, '');
  const stripped = base.replace(/(?:List|_list)$/, '');
  return stripped === '' ? base : stripped;
}

/** Class names by label. Blank lines are skipped, so label k is the k-th non-blank line. */
export function parseClassNames(text: string): string[] {
  return splitLines(text)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** Lines without a byte-order mark, for `\n` and `\r\n` files alike. */
export function splitLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r?\n/);
}
