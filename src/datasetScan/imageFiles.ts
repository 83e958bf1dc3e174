import path from 'node:path';

/** What counts as an image, by extension (compared case-insensitively, so `.JPG` counts). */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.gif', '.tif', '.tiff']);

export function isImageFileName(name: string): boolean {
  return IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase());
}

/** Operating-system clutter that is never data; skipped without an issue. */
const CLUTTER = new Set(['thumbs.db', 'desktop.ini']);

/** Hidden entries (`.git`, `.DS_Store`, editor swap files) and OS clutter are invisible to a scan. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || CLUTTER.has(name.toLowerCase());
}
