/**
 * What the benches that train share: the real trainer CLI in its own process, one run folder per
 * run, and reuse of a finished run of exactly the same experiment, so that an interrupted
 * benchmark continues where it stopped.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readExperimentJson, readResultsJson, readStatusJson } from '../src/runFolder/readRunFiles';
import type { RunResults } from '../src/runFolder/results';
import { parseRunFolderAnnouncement } from '../src/runFolder/runFolderAnnouncement';

/**
 * Runs a child process to its end, handing over its output line by line (stdout and stderr apart)
 * and, with `onMessage`, what a Node child sends over an IPC channel.
 */
export function runProcess(
  command: string,
  args: string[],
  onLine: (line: string, stream: 'stdout' | 'stderr') => void,
  onMessage?: (message: unknown) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: onMessage ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'] });
    if (onMessage) child.on('message', onMessage);
    const splitter = (stream: 'stdout' | 'stderr') => {
      let pending = '';
      return (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        const lines = pending.split(/\r?\n|\r/);
        pending = lines.pop() ?? '';
        for (const line of lines) onLine(line, stream);
      };
    };
    child.stdout?.on('data', splitter('stdout'));
    child.stderr?.on('data', splitter('stderr'));
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/** The Digits benchmark in `dataDir`, built by the trainer when missing; returns its domains' names. */
export async function ensureDigits(trainer: string, dataDir: string, size: string): Promise<string[]> {
  const manifestFile = path.join(dataDir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    console.log(`building the Digits benchmark (${size} training images per domain) in ${dataDir} ...`);
    const code = await runProcess(process.execPath, [trainer, 'data', 'digits', '--out', dataDir, '--size', size], (line) => console.log(`  ${line}`));
    if (code !== 0) throw new Error(`kd-uda data digits exited with ${code}`);
  }
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { domains: { name: string }[] };
  return manifest.domains.map((domain) => domain.name);
}

/** The trainer stores the resolved experiment (defaults filled): compare only what we set. */
function sameSettings(ran: unknown, asked: Record<string, unknown>): boolean {
  return Object.entries(asked).every(([key, value]) => {
    const stored = ran !== null && typeof ran === 'object' ? (ran as Record<string, unknown>)[key] : undefined;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return sameSettings(stored, value as Record<string, unknown>);
    return JSON.stringify(stored) === JSON.stringify(value);
  });
}

/** A run folder's own wall time: from the trainer starting the run (after its backend) to the run being done. */
async function runSeconds(dir: string): Promise<{ state: string; seconds: number }> {
  const { state, startedAt, endedAt } = await readStatusJson(dir);
  return { state, seconds: startedAt && endedAt ? (Date.parse(endedAt) - Date.parse(startedAt)) / 1000 : Number.NaN };
}

/** A finished run of exactly this experiment in `runsDir`, if an earlier invocation left one. */
async function reusableRun(runsDir: string, experiment: Record<string, unknown>): Promise<string | undefined> {
  const entries = await readdir(runsDir).catch(() => [] as string[]);
  for (const entry of entries
    .filter((name) => name.endsWith(`-${String(experiment.name)}`))
    .sort()
    .reverse()) {
    const dir = path.join(runsDir, entry);
    try {
      if ((await runSeconds(dir)).state === 'done' && sameSettings(await readExperimentJson(dir), experiment)) return dir;
    } catch {
      // An unreadable or unfinished folder is simply not reused.
    }
  }
  return undefined;
}

export interface TrainedRun {
  results: RunResults;
  /** The run folder's own wall time (status.json), reused or not. */
  seconds: number;
  reused: boolean;
}

/**
 * Trains `experiment` with the trainer CLI into `runsDir`, or reuses a finished run of it; the
 * trainer's epoch and backend lines are echoed with `indent`.
 */
export async function trainOrReuse(trainer: string, runsDir: string, experiment: Record<string, unknown>, indent = '  '): Promise<TrainedRun> {
  let runDir = await reusableRun(runsDir, experiment);
  const reused = runDir !== undefined;
  if (!runDir) {
    const file = path.join(runsDir, 'experiments', `${String(experiment.name)}.kdexp.json`);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(experiment, null, 2)}\n`);
    let lastLines: string[] = [];
    const code = await runProcess(
      process.execPath,
      [trainer, 'train', file, '--runs-dir', runsDir],
      (line) => {
        lastLines = [...lastLines.slice(-9), line];
        if (/epoch \d+\/\d+:|^backend: (tensorflow|wasm|cpu) \(/.test(line)) console.log(`${indent}${line}`);
      },
      (message) => {
        runDir ??= parseRunFolderAnnouncement(message)?.runDir;
      },
    );
    if (code !== 0 || !runDir) throw new Error(`${String(experiment.name)}: the trainer exited with ${code}; last lines:\n${lastLines.join('\n')}`);
  }
  return readTrainedRun(runDir, reused);
}

async function readTrainedRun(runDir: string, reused: boolean): Promise<TrainedRun> {
  return { results: await readResultsJson(runDir), seconds: (await runSeconds(runDir)).seconds, reused };
}
