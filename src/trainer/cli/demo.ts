import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateDigits } from '../digitsBenchmark/generateDigits';
import type { BenchmarkManifest } from '../digitsBenchmark/manifest';
import { readResultsJson } from '../../runFolder/readRunFiles';
import type { RunResults } from '../../runFolder/results';
import type { StopRequest } from '../runLoop/trainRun';
import { startTraining } from './train';
import type { CliIo } from './cliIo';

export const DEMO_USAGE = `Usage: kd-uda demo [--dir DIR] [--size N]

Builds a small Digits benchmark in DIR/digits (default DIR: ./kd-uda-demo) unless one is there,
trains a short MT-MTDA experiment on it (mnist -> the other domains) into DIR/runs, and prints
the per-target accuracy table of the last epoch.`;

async function digitsManifest(dir: string, size: number, io: CliIo): Promise<BenchmarkManifest> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as BenchmarkManifest;
  } catch {
    io.out(`building a Digits benchmark of ${size} training images per domain in ${dir}`);
    return generateDigits({ out: dir, size, log: (line) => io.out(`[digits] ${line}`) });
  }
}

/** The last epoch's accuracy per model and target, with the mean, as a plain-text table. */
export function formatTargetTable(results: RunResults): string[] {
  const columns = [...results.targets, 'mean'];
  const roles = Object.keys(results.headline.accuracy);
  const width = Math.max(...roles.map((role) => role.length), 5);
  const cell = (text: string) => text.padStart(Math.max(8, ...columns.map((c) => c.length)) + 2);
  const lines = [`${'model'.padEnd(width)}${columns.map(cell).join('')}   params     MACs/image`];
  for (const role of roles) {
    const accuracy = results.headline.accuracy[role];
    const cost = results.costs[role];
    const values = [...results.targets.map((target) => accuracy[target]), results.headline.meanTarget[role]];
    lines.push(
      `${role.padEnd(width)}${values.map((value) => cell(`${(100 * value).toFixed(1)}%`)).join('')}   ${String(cost.parameters).padEnd(10)} ${cost.macsPerImage}`,
    );
  }
  lines.push(`(${results.headline.label}, epoch ${results.headline.epoch})`);
  return lines;
}

export async function demoCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { dir: { type: 'string', default: 'kd-uda-demo' }, size: { type: 'string', default: '300' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.out(DEMO_USAGE);
    return 0;
  }
  const dir = path.resolve(values.dir);
  const manifest = await digitsManifest(path.join(dir, 'digits'), Number(values.size), io);
  const domains = manifest.domains.map((domain) => domain.name);
  const source = domains.includes('mnist') ? 'mnist' : domains[0];
  const targets = domains.filter((name) => name !== source);
  if (!source || targets.length === 0) {
    io.err(
      `kd-uda demo: the Digits benchmark in ${dir} has too few domains (${domains.join(', ') || 'none'}); skipped: ${manifest.skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}`,
    );
    return 1;
  }
  const file = path.join(dir, 'demo.kdexp.json');
  await writeFile(
    file,
    `${JSON.stringify(
      {
        version: 1,
        name: 'demo-mt-mtda',
        data: { root: 'digits/train', source, targets, imageSize: 28, channels: 3 },
        // A batch-norm ResNet trained from scratch in a budget this short learns the source too
        // slowly to teach (about 50% on its hold-out after 90 steps, its DANN teachers near chance on
        // the targets); a LeNet-5 four times the student's size learns in time and stays the bigger model.
        teacher: { architecture: 'lenet5', width: 2 },
        student: { architecture: 'lenet5' },
        method: { name: 'mt-mtda' },
        optimizer: { teacherLr: 0.01, studentLr: 0.01 },
        epochs: 3,
        // The learning rate anneals to a third of lr0 from epoch 2: 30 steps an epoch left the student short.
        stepsPerEpoch: 60,
        batchSize: 32,
      },
      null,
      2,
    )}\n`,
  );
  const stop: StopRequest = { requested: false };
  const onSignal = () => {
    stop.requested = true;
  };
  process.on('SIGINT', onSignal);
  try {
    const { runDir, state } = await startTraining({ file, runsDir: path.join(dir, 'runs'), stop, echo: io.out });
    if (state !== 'done') return state === 'failed' ? 1 : 0;
    const results = await readResultsJson(runDir);
    io.out('');
    for (const line of formatTargetTable(results)) io.out(line);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
