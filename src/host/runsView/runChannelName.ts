import path from 'node:path';
import { runIdStamp } from '../../runFolder/runNaming';

const pad = (n: number) => String(n).padStart(2, '0');
const clock = (date: Date) => `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
const day = (date: Date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;

/**
 * The output channel of a run this window executes: `KD-UDA run: <label> · <started>`, the
 * experiment (the label) and when its run folder was made, to the second, so that two runs of one
 * experiment are told apart and a run is called the same whoever started it; a resume adds
 * `· resumed <time>` (its channel is a second one, beside the first run's). `launchedAt` stands in
 * for a run whose folder is not known yet.
 */
export function runChannelName(label: string, runDir: string | undefined, launchedAt: Date, resumed: boolean): string {
  const started = (runDir && runIdStamp(path.basename(runDir))) ?? `${day(launchedAt)} ${clock(launchedAt)}`;
  return `KD-UDA run: ${label} · ${started}${resumed ? ` · resumed ${clock(launchedAt)}` : ''}`;
}
