import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateDigits } from '../digitsBenchmark/generateDigits';
import type { BenchmarkManifest } from '../digitsBenchmark/manifest';
import { readResultsJson } from '../../runFolder/readRunFiles';
import type { RunResults } from '../../runFolder/results';
import type { StopRequest } from '../runLoop/trainRun';
import { startTraining } from './train';
import { formatDemoStoryTable } from './demoStoryTable';
import { DEMO_DIGITS_SIZE, demoMtMtdaExperiment, demoSourceOnlyExperiment } from '../digitsBenchmark/demoExperiments';
import type { CliIo } from './cliIo';

export const DEMO_USAGE = `Usage: kd-uda demo [--dir DIR] [--size N]

Builds a small Digits benchmark in DIR/digits (default DIR: ./kd-uda-demo; N training images per
domain, default ${DEMO_DIGITS_SIZE}) unless one is there, then trains two short experiments on it
(mnist -> the other domains) into DIR/runs: the student on the source alone, the lower bound, and
MT-MTDA, one teacher adapted to each target and the student distilled from them. It prints what
each reached on each target at the last epoch, with what chance and one test image are worth.
About two minutes on a laptop's CPU with the native backend.`;

async function digitsManifest(dir: string, size: number, io: CliIo): Promise<BenchmarkManifest> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as BenchmarkManifest;
  } catch {
    io.out(`building a Digits benchmark of ${size} training images per domain in ${dir}`);
    return generateDigits({ out: dir, size, log: (line) => io.out(`[digits] ${line}`) });
  }
}

export async function demoCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      dir: { type: 'string', default: 'kd-uda-demo' },
      size: { type: 'string', default: String(DEMO_DIGITS_SIZE) },
      help: { type: 'boolean', short: 'h' },
    },
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
  const data = { root: 'digits/train', source, targets };
  const stop: StopRequest = { requested: false };
  const onSignal = () => {
    stop.requested = true;
  };
  process.on('SIGINT', onSignal);
  try {
    const results: RunResults[] = [];
    for (const experiment of [demoSourceOnlyExperiment(data), demoMtMtdaExperiment(data)]) {
      const file = path.join(dir, `${String(experiment.name)}.kdexp.json`);
      await writeFile(file, `${JSON.stringify(experiment, null, 2)}\n`);
      io.out(
        `\n${experiment.name === 'demo-source-only' ? 'the lower bound: the student on the source alone' : 'MT-MTDA: a teacher adapted to each target, the student distilled from them'} (${file})`,
      );
      const { runDir, state } = await startTraining({ file, runsDir: path.join(dir, 'runs'), stop, echo: io.out });
      if (state !== 'done') return state === 'failed' ? 1 : 0;
      results.push(await readResultsJson(runDir));
    }
    io.out('');
    for (const line of formatDemoStoryTable(results[0], results[1])) io.out(line);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
