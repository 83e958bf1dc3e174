/**
 * Training and inference throughput (samples/s, batch 64) of the project's student (lenet5,
 * 28x28x1) and teacher (resnet-small, 32x32x3) on every TensorFlow.js backend this machine has,
 * side by side with the same architectures in PyTorch on the CPU (Debian's python3-torch, installed
 * here with apt-get when missing) as the reference; then where one training step spends its time.
 *
 *   npm run bench:throughput                  (builds first)
 *   node out/bench/throughput.js [--seconds 5] [--rounds 3] [--backends tensorflow-gpu,tensorflow,wasm]
 *                                [--models lenet5,resnet-small] [--with-cpu] [--no-torch] [--json FILE]
 *
 * Targets (ISSUE 3): best backend >= 1.0x PyTorch training on both models; wasm >= 0.6x on the
 * student and >= 0.3x on the teacher; peak RSS <= 1.5 GB training the teacher. Each row runs in
 * its own process (clean backend, own peak RSS). The machine's load average is printed before and
 * after: on a shared 2-core machine other work changes every figure, PyTorch's OpenMP most of all.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureTorch, PYTHON } from './pythonTorch';
import type { RunResult } from './throughputRun';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    backends: { type: 'string', default: 'tensorflow-gpu,tensorflow,wasm' },
    models: { type: 'string', default: 'lenet5,resnet-small' },
    'with-cpu': { type: 'boolean', default: false },
    'no-torch': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

const root = path.resolve(__dirname, '..', '..');
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
if (!(seconds > 0) || !Number.isInteger(rounds) || rounds < 1) {
  console.error(`--seconds must be a positive number and --rounds a whole number from 1 (got --seconds ${values.seconds}, --rounds ${values.rounds})`);
  process.exit(2);
}
const models = values.models.split(',');
const backends = [...values.backends.split(','), ...(values['with-cpu'] ? ['cpu'] : [])];

function loadAverage(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
}

function runTfjs(backend: string, model: string): RunResult {
  const child = spawnSync(process.execPath, [path.join(__dirname, 'throughputRun.js'), backend, model, String(seconds)], {
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
    timeout: (seconds * 8 + 120) * 1000,
  });
  const line = child.stdout?.trim().split('\n').pop();
  try {
    // throughputRun.ts prints one RunResult as its last line (its own type, the same build).
    return JSON.parse(line ?? '') as RunResult;
  } catch {
    return {
      backend,
      model: model as RunResult['model'],
      error: `no result (exit ${child.status}${child.signal ? `, ${child.signal}` : ''}): ${child.stderr?.trim().split('\n').slice(-3).join(' ')}`,
    };
  }
}

/** The line throughput_torch.py prints (its json.dumps at the end of main()). */
interface TorchResult {
  train: number;
  infer: number;
  peakRssMb: number;
  threads: number;
  version: string;
  profile: { kernel: string; ms: number; calls: number }[];
}

function runTorch(model: string): RunResult {
  const child = spawnSync(PYTHON, [path.join(root, 'bench', 'throughput_torch.py'), '--model', model, '--seconds', String(seconds), '--profile'], {
    encoding: 'utf8',
    timeout: (seconds * 8 + 120) * 1000,
  });
  try {
    const result = JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as TorchResult;
    return {
      backend: 'pytorch',
      model: model as RunResult['model'],
      train: result.train,
      infer: result.infer,
      peakRssMb: result.peakRssMb,
      threads: result.threads,
      detail: `PyTorch ${result.version} (Debian), CPU`,
      profile: result.profile,
    };
  } catch {
    return { backend: 'pytorch', model: model as RunResult['model'], error: child.stderr?.trim().split('\n').slice(-2).join(' ') || 'no result' };
  }
}

/** Keeps, per model and backend, the best training and inference rates seen and the largest RSS. */
function keepBest(results: RunResult[], result: RunResult): void {
  const index = results.findIndex((r) => r.model === result.model && r.backend === result.backend);
  if (index < 0) return void results.push(result);
  const kept = results[index];
  if (result.error) return;
  if (kept.error) return void (results[index] = result);
  const best = (result.train ?? 0) > (kept.train ?? 0) ? result : kept;
  results[index] = {
    ...best,
    infer: Math.max(kept.infer ?? 0, result.infer ?? 0),
    peakRssMb: Math.max(kept.peakRssMb ?? 0, result.peakRssMb ?? 0),
  };
}

function fixed(value: number | undefined, digits = 0): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

function main(): void {
  const startLoad = loadAverage();
  console.log(
    `throughput at batch 64, ${seconds} s per measurement, best of ${rounds} rounds; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}); load average ${startLoad}`,
  );
  const torchProblem = values['no-torch'] ? 'skipped (--no-torch)' : ensureTorch();
  // Every row is measured once per round, rounds one after another, and keeps its best round: other
  // work on a shared machine comes and goes over minutes, and this way every row, the reference
  // included, gets its chance at a quiet stretch instead of one row catching a busy one.
  const results: RunResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const model of models) {
      const rows = [...(torchProblem ? [] : ['pytorch']), ...backends];
      for (const backend of rows) {
        console.error(`round ${round}/${rounds}: ${model} on ${backend}...`);
        keepBest(results, backend === 'pytorch' ? runTorch(model) : runTfjs(backend, model));
      }
    }
  }
  const endLoad = loadAverage();

  const header = ['model', 'backend', 'train/s', 'x PyTorch', 'infer/s', 'x PyTorch', 'peak RSS MB', 'threads', 'what'];
  const rows = results.map((r) => {
    const torch = results.find((t) => t.backend === 'pytorch' && t.model === r.model && !t.error);
    if (r.error) return [r.model, r.backend, '-', '-', '-', '-', '-', '-', `unavailable: ${r.error.split('\n')[0].slice(0, 140)}`];
    const ratio = (value?: number, base?: number) => (value && base ? `${(value / base).toFixed(2)}x` : '-');
    return [
      r.model,
      r.backend,
      fixed(r.train),
      ratio(r.train, torch?.train),
      fixed(r.infer),
      ratio(r.infer, torch?.infer),
      fixed(r.peakRssMb),
      String(r.threads ?? '-'),
      r.detail ?? '',
    ];
  });
  if (torchProblem) console.log(`PyTorch reference: ${torchProblem}`);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => (i >= 2 && i <= 7 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join(' | ')} |`;
  console.log(`\n${line(header)}\n|${widths.map((w, i) => (i >= 2 && i <= 7 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
  for (const row of rows) console.log(line(row));
  console.log(`\nload average before ${startLoad}, after ${endLoad} (1, 5, 15 min)`);

  console.log('\nOne training step, top kernels by time (tf.profile; PyTorch: torch.profiler self CPU time):');
  for (const r of results.filter((result) => result.profile?.length)) {
    const step = r.stepMs ? `, profiled step ${fixed(r.stepMs)} ms` : '';
    console.log(`  ${r.model} on ${r.backend}${step}:`);
    for (const k of r.profile!) console.log(`    ${k.kernel.padEnd(34)} ${fixed(k.ms, 1).padStart(8)} ms  x${k.calls}`);
  }
  const skipped = results.find((r) => r.skipped?.length)?.skipped;
  if (skipped) console.log(`\nwhy rungs were unavailable: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ loadBefore: startLoad, loadAfter: endLoad, results }, null, 2));
}

main();
