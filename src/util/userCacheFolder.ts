import os from 'node:os';
import path from 'node:path';

/** Where KD-UDA Lab keeps downloads: `$XDG_CACHE_HOME/kd-uda-lab`, `~/.cache/kd-uda-lab`, or LOCALAPPDATA on Windows. */
export function defaultCacheFolder(): string {
  if (process.platform === 'win32' && process.env.LOCALAPPDATA) return path.join(process.env.LOCALAPPDATA, 'kd-uda-lab', 'cache');
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'kd-uda-lab');
}
