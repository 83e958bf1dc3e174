/**
 * Is our DANN DANN? Source-only and DANN (mnist -> each target) trained with one recipe in our
 * trainer and in PyTorch (bench/parity_torch.py, Debian's python3-torch), on the same images, the
 * same batches in the same order, the same seeds; per-target test accuracy side by side, mean ±
 * std over seeds, with each run's wall time.
 *
 *   npm run bench:parity                          (builds first)
 *   node out/bench/parity.js [--data DIR] [--size N] [--seeds 0,1,2] [--epochs E] [--steps S]
 *                            [--targets mnist-photo,uci-digits] [--skip-torch] [--skip-ours]
 *                            [--trainer FILE] [--runs-dir DIR] [--arrays DIR] [--json FILE]
 *
 * Both frameworks train on bit-identical inputs: this script decodes and normalises every image
 * through our DataLoader and exports them as float32 arrays (NHWC, --arrays) that PyTorch reads, and
 * parity_torch.py replays our loader's seeded sampler, so batch k holds the same images in both.
 * Runs go one after the other (never two at once: they would time each other). A finished run of
 * ours with the same experiment is reused, and PyTorch results are kept in <runs-dir>/torch-results.json
 * keyed by their settings, so an interrupted benchmark continues where it stopped.
 *
 * Wall time per run, in both frameworks, leaves out starting the runtime (Node and its TensorFlow
 * backend; Python and torch); ours includes what the trainer does besides training (listing and
 * decoding the PNGs, an evaluation and a checkpoint every epoch), PyTorch's one evaluation at the end.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DataLoader } from '../src/trainer/data/dataLoader';
import { loadDataset } from '../src/trainer/data/dataset';
import type { Sample } from '../src/trainer/data/samples';
import { ensureTorch, PYTHON } from './pythonTorch';
import { ensureDigits, runProcess, trainOrReuse } from './trainerRuns';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    size: { type: 'string', default: '10000' },
    seeds: { type: 'string', default: '0,1,2' },
    epochs: { type: 'string', default: '10' },
    steps: { type: 'string', default: '300' },
    targets: { type: 'string', default: 'mnist-photo,uci-digits' },
    'skip-torch': { type: 'boolean', default: false },
    'skip-ours': { type: 'boolean', default: false },
    trainer: { type: 'string' },
    'runs-dir': { type: 'string' },
    arrays: { type: 'string' },
    json: { type: 'string' },
  },
});

const root = path.resolve(__dirname, '..', '..');
const trainer = path.resolve(values.trainer ?? path.join(root, 'dist', 'trainer.js'));
const torchScript = path.join(root, 'bench', 'parity_torch.py');
const dataDir = path.resolve(values.data ?? path.join(root, '.cache', 'bench', 'digits'));
const runsDir = path.resolve(values['runs-dir'] ?? path.join(root, '.cache', 'bench', 'parity', 'runs'));
const arraysDir = path.resolve(values.arrays ?? path.join(root, '.cache', 'bench', 'parity', 'arrays'));
const seeds = values.seeds.split(',').map(Number);
const targets = values.targets.split(',');
const epochs = Number(values.epochs);
const stepsPerEpoch = Number(values.steps);
const SOURCE = 'mnist';
const SOURCE_TEST = 'source-holdout';
const BATCH = 64;
const IMAGE_SIZE = 28;
const CHANNELS = 3;
const OPTIMIZER = { name: 'sgd', studentLr: 0.01, momentum: 0.9, weightDecay: 0.0005, lrSchedule: 'per-step' } as const;

type MethodName = 'source-only' | 'dann';

/** One training run: source-only serves every target, DANN adapts to one. */
interface RunSpec {
  method: MethodName;
  targets: string[];
  seed: number;
  name: string;
}

/** Accuracy per target and on the source's test split (`source-holdout`), and the run's wall time. */
interface Outcome {
  accuracy: Record<string, number>;
  seconds: number;
  /** Taken from an earlier invocation rather than trained now. */
  reused: boolean;
}

interface TorchOutcome extends Outcome {
  threads: number;
  version: string;
}

function runSpecs(seed: number): RunSpec[] {
  return [
    { method: 'source-only', targets, seed, name: `parity-source-only-seed${seed}` },
    ...targets.map((target): RunSpec => ({ method: 'dann', targets: [target], seed, name: `parity-dann-${target}-seed${seed}` })),
  ];
}

function experimentFor(spec: RunSpec): Record<string, unknown> {
  return {
    version: 1,
    name: spec.name,
    data: { root: dataDir, source: SOURCE, targets: spec.targets, imageSize: IMAGE_SIZE, channels: CHANNELS, split: { kind: 'folders' } },
    student: { architecture: 'lenet5' },
    method: { name: spec.method, model: 'student', discriminator: 'dann-digits' },
    optimizer: OPTIMIZER,
    epochs,
    stepsPerEpoch,
    batchSize: BATCH,
    seed: spec.seed,
    backend: 'auto',
  };
}

async function ensureBenchmark(): Promise<void> {
  const domains = await ensureDigits(trainer, dataDir, values.size);
  const missing = [SOURCE, ...targets].filter((name) => !domains.includes(name));
  if (missing.length > 0) throw new Error(`${dataDir}: no domain ${missing.join(', ')}; it has ${domains.join(', ')}`);
}

/** One domain's split as parity_torch.py reads it: `count` images, float32 NHWC, and int32 labels. */
interface ExportedSplit {
  images: string;
  labels: string;
  count: number;
  /** Of the samples' keys and labels in loader order: the sampler's indices point into this order. */
  samplesSha256: string;
}

interface ArrayIndex {
  dataRoot: string;
  imageSize: number;
  channels: number;
  layout: 'NHWC';
  normalize: 'symmetric';
  classNames: string[];
  /** Keyed `<domain>/<train|test>`. */
  splits: Record<string, ExportedSplit>;
}

function samplesDigest(samples: readonly Sample[]): string {
  const hash = createHash('sha256');
  for (const sample of samples) hash.update(`${sample.key}\t${sample.label}\n`);
  return hash.digest('hex');
}

async function hasBytes(file: string, bytes: number): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.size === bytes;
}

function writeChunk(stream: WriteStream, view: ArrayBufferView): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(Buffer.from(view.buffer, view.byteOffset, view.byteLength), (error) => (error ? reject(error) : resolve()));
  });
}

function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on('error', reject);
    stream.end(resolve);
  });
}

/**
 * Every image the runs train or evaluate on, decoded and normalised by our DataLoader exactly as the
 * trainer's batches hold them. A split whose samples are unchanged since the last export is kept.
 */
async function exportArrays(): Promise<ArrayIndex> {
  const indexFile = path.join(arraysDir, 'index.json');
  const dataset = await loadDataset(
    { root: dataDir, source: SOURCE, targets, split: { kind: 'folders' }, seed: 0 },
    { onProblem: (problem) => console.log(`  data: ${problem.message}`) },
  );
  const previous = (await readFile(indexFile, 'utf8').then(JSON.parse, () => undefined)) as ArrayIndex | undefined;
  const comparable =
    previous?.dataRoot === dataset.root &&
    previous.imageSize === IMAGE_SIZE &&
    previous.channels === CHANNELS &&
    JSON.stringify(previous.classNames) === JSON.stringify(dataset.classNames);
  const index: ArrayIndex = {
    dataRoot: dataset.root,
    imageSize: IMAGE_SIZE,
    channels: CHANNELS,
    layout: 'NHWC',
    normalize: 'symmetric',
    classNames: dataset.classNames,
    splits: comparable ? previous.splits : {},
  };
  const undecodable: string[] = [];
  // No decoded-image cache: each image is read once here, and the largest domain would fill it.
  const loader = await DataLoader.create({
    imageSize: IMAGE_SIZE,
    channels: CHANNELS,
    normalize: 'symmetric',
    seed: 0,
    cacheBytes: 0,
    onProblem: (problem) => undecodable.push(problem.message),
  });
  const imageBytes = IMAGE_SIZE * IMAGE_SIZE * CHANNELS * Float32Array.BYTES_PER_ELEMENT;
  await mkdir(arraysDir, { recursive: true });
  for (const domain of [dataset.source, ...dataset.targets]) {
    for (const split of ['train', 'test'] as const) {
      const samples = domain[split];
      const id = `${domain.name}/${split}`;
      const exported: ExportedSplit = {
        images: `${domain.name}-${split}.images.f32`,
        labels: `${domain.name}-${split}.labels.i32`,
        count: samples.length,
        samplesSha256: samplesDigest(samples),
      };
      const kept = index.splits[id];
      if (
        kept?.samplesSha256 === exported.samplesSha256 &&
        (await hasBytes(path.join(arraysDir, kept.images), kept.count * imageBytes)) &&
        (await hasBytes(path.join(arraysDir, kept.labels), kept.count * Int32Array.BYTES_PER_ELEMENT))
      ) {
        continue;
      }
      console.log(`exporting ${id} (${samples.length} images) to ${arraysDir} ...`);
      const images = createWriteStream(path.join(arraysDir, exported.images));
      const labels = createWriteStream(path.join(arraysDir, exported.labels));
      let written = 0;
      for await (const batch of loader.evalBatches(samples, 512, domain.name)) {
        await writeChunk(images, batch.images);
        await writeChunk(labels, batch.labels);
        written += batch.labels.length;
      }
      await Promise.all([closeStream(images), closeStream(labels)]);
      // The trainer puts a stand-in where an image fails to decode; an export without it would shift every index after it.
      if (written !== samples.length) throw new Error(`${id}: ${samples.length - written} images could not be decoded: ${undecodable.slice(0, 3).join('; ')}`);
      index.splits[id] = exported;
    }
  }
  await writeFile(`${indexFile}.tmp`, `${JSON.stringify(index, null, 2)}\n`);
  await rename(`${indexFile}.tmp`, indexFile);
  return index;
}

async function trainOurs(spec: RunSpec): Promise<Outcome & { backend: string }> {
  const { results, seconds, reused } = await trainOrReuse(trainer, runsDir, experimentFor(spec), '    ');
  const student = results.headline.accuracy.student;
  const accuracy = Object.fromEntries([...spec.targets, SOURCE_TEST].map((domain) => [domain, student[domain]]));
  return { accuracy, seconds, reused, backend: results.backend };
}

const torchCacheFile = path.join(runsDir, 'torch-results.json');

/** What a PyTorch result depends on: the recipe, the exported images it read, and the script itself. */
function torchKey(spec: RunSpec, index: ArrayIndex, script: string): string {
  const domains = [SOURCE, ...spec.targets];
  const inputs = Object.fromEntries(
    domains.flatMap((domain) => ['train', 'test'].map((split) => [`${domain}/${split}`, index.splits[`${domain}/${split}`].samplesSha256])),
  );
  return JSON.stringify({
    method: spec.method,
    source: SOURCE,
    targets: spec.targets,
    seed: spec.seed,
    epochs,
    stepsPerEpoch,
    batch: BATCH,
    optimizer: OPTIMIZER,
    inputs,
    script: createHash('sha256').update(script).digest('hex'),
  });
}

async function trainTorch(spec: RunSpec, index: ArrayIndex): Promise<TorchOutcome> {
  const cache = (await readFile(torchCacheFile, 'utf8').then(JSON.parse, () => ({}))) as Record<string, TorchOutcome>;
  const key = torchKey(spec, index, await readFile(torchScript, 'utf8'));
  if (cache[key]) return { ...cache[key], reused: true };
  const args = [
    torchScript,
    '--arrays',
    arraysDir,
    '--method',
    spec.method,
    '--source',
    SOURCE,
    '--targets',
    spec.targets.join(','),
    '--seed',
    String(spec.seed),
    '--epochs',
    String(epochs),
    '--steps',
    String(stepsPerEpoch),
    '--batch',
    String(BATCH),
    '--lr',
    String(OPTIMIZER.studentLr),
    '--momentum',
    String(OPTIMIZER.momentum),
    '--weight-decay',
    String(OPTIMIZER.weightDecay),
  ];
  let lastLines: string[] = [];
  let result: string | undefined;
  const code = await runProcess(PYTHON, args, (line, stream) => {
    lastLines = [...lastLines.slice(-9), line];
    if (stream === 'stdout') result = line;
    else if (/^epoch \d+\/\d+:/.test(line)) console.log(`    ${line}`);
  });
  if (code !== 0 || !result) throw new Error(`${spec.name}: parity_torch.py exited with ${code}; last lines:\n${lastLines.join('\n')}`);
  const outcome = { ...(JSON.parse(result) as Omit<TorchOutcome, 'reused'>), reused: false };
  // Read again: the file is only ever written between runs, but a result must never be lost to a stale copy.
  const latest = (await readFile(torchCacheFile, 'utf8').then(JSON.parse, () => ({}))) as Record<string, TorchOutcome>;
  await mkdir(runsDir, { recursive: true });
  await writeFile(torchCacheFile, `${JSON.stringify({ ...latest, [key]: outcome }, null, 2)}\n`);
  return outcome;
}

function mean(samples: number[]): number {
  return samples.reduce((sum, value) => sum + value, 0) / samples.length;
}

function std(samples: number[]): number {
  const centre = mean(samples);
  return samples.length > 1 ? Math.sqrt(samples.reduce((sum, value) => sum + (value - centre) ** 2, 0) / (samples.length - 1)) : 0;
}

const percent = (value: number): string => (100 * value).toFixed(1);
const meanStd = (samples: number[]): string => (samples.length ? `${percent(mean(samples))} ± ${percent(std(samples))}` : '—');
const signed = (value: number): string => `${value >= 0 ? '+' : '−'}${Math.abs(100 * value).toFixed(1)}`;
const loadAverage = (): string =>
  os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');

interface RunRecord {
  spec: RunSpec;
  ours?: Outcome;
  torch?: TorchOutcome;
}

/** Table rows: each target under source-only (the shared run) and under DANN to that target. */
function rowsOf(records: RunRecord[]) {
  return targets.flatMap((target) =>
    (['source-only', 'dann'] as const).map((method) => {
      const runs = records.filter(({ spec }) => spec.method === method && spec.targets.includes(target));
      const column = (pick: (record: RunRecord) => Outcome | undefined) => {
        const outcomes = runs.map(pick).filter((outcome): outcome is Outcome => outcome !== undefined);
        return { accuracy: outcomes.map((outcome) => outcome.accuracy[target]), seconds: outcomes.map((outcome) => outcome.seconds) };
      };
      return { target, method, ours: column((record) => record.ours), torch: column((record) => record.torch) };
    }),
  );
}

function markdown(records: RunRecord[], backend: string | undefined, torchVersion: string | undefined): string {
  const rows = rowsOf(records);
  const summary = [
    `| target | method | ours (%) | PyTorch (%) | ours − PyTorch | ours s/run | PyTorch s/run | time ours/PyTorch |`,
    `|---|---|---|---|---|---|---|---|`,
    ...rows.map(({ target, method, ours, torch }) => {
      const both = ours.accuracy.length > 0 && torch.accuracy.length > 0;
      const meanSeconds = (samples: number[]) => (samples.length ? mean(samples).toFixed(1) : '—');
      return `| ${target} | ${method === 'dann' ? 'DANN' : method} | ${meanStd(ours.accuracy)} | ${meanStd(torch.accuracy)} | ${both ? signed(mean(ours.accuracy) - mean(torch.accuracy)) : '—'} | ${meanSeconds(ours.seconds)} | ${meanSeconds(torch.seconds)} | ${both ? `${(mean(ours.seconds) / mean(torch.seconds)).toFixed(2)}x` : '—'} |`;
    }),
  ];
  const cell = (outcome: Outcome | undefined, domain: string) => (outcome ? percent(outcome.accuracy[domain]) : '—');
  const seconds = (outcome: Outcome | undefined) => (outcome ? `${outcome.seconds.toFixed(1)}${outcome.reused ? '*' : ''}` : '—');
  const perSeed = [
    `| seed | run | target | ours (%) | PyTorch (%) | ours ${SOURCE} test | PyTorch ${SOURCE} test | ours s | PyTorch s |`,
    `|---|---|---|---|---|---|---|---|---|`,
    ...records.flatMap(({ spec, ours, torch }) =>
      spec.targets.map(
        (target) =>
          `| ${spec.seed} | ${spec.method === 'dann' ? 'DANN' : spec.method} | ${target} | ${cell(ours, target)} | ${cell(torch, target)} | ${cell(ours, SOURCE_TEST)} | ${cell(torch, SOURCE_TEST)} | ${seconds(ours)} | ${seconds(torch)} |`,
      ),
    ),
  ];
  return [
    `Target test accuracy (%) at the end of training, mean ± std over ${seeds.length} seed(s): ours on ${backend ?? '—'}, PyTorch ${torchVersion ?? '—'} on the CPU. The source-only run serves both targets: its time appears in both rows.`,
    '',
    ...summary,
    '',
    `Per seed (* an earlier invocation's run, reused):`,
    '',
    ...perSeed,
  ].join('\n');
}

function checkArguments(): void {
  const whole = (value: number, least: number) => Number.isInteger(value) && value >= least;
  if (!seeds.every((seed) => whole(seed, 0)) || !whole(epochs, 1) || !whole(stepsPerEpoch, 1)) {
    throw new Error(`--seeds must be whole numbers from 0, --epochs and --steps whole numbers from 1 (got ${values.seeds}, ${values.epochs}, ${values.steps})`);
  }
  if (targets.length === 0 || targets.includes(SOURCE)) throw new Error(`--targets must name domains other than ${SOURCE} (got ${values.targets})`);
  if (values['skip-ours'] && values['skip-torch']) throw new Error('--skip-ours and --skip-torch together leave nothing to run');
}

async function main(): Promise<void> {
  checkArguments();
  if (!existsSync(trainer)) throw new Error(`${trainer} is missing: run \`node esbuild.mjs\` first (npm run bench:parity does)`);
  const torchMissing = values['skip-torch'] ? undefined : ensureTorch();
  if (torchMissing) throw new Error(`${torchMissing}; or pass --skip-torch`);
  const loadAtStart = loadAverage();
  console.log(
    `Parity: ${SOURCE} -> ${targets.join(', ')}; seeds ${seeds.join(', ')}; ${epochs} epochs x ${stepsPerEpoch} steps, batch ${BATCH}; lenet5, SGD lr ${OPTIMIZER.studentLr} (per step), momentum ${OPTIMIZER.momentum}, wd ${OPTIMIZER.weightDecay}; load ${loadAtStart}`,
  );
  await ensureBenchmark();
  const index = values['skip-torch'] ? undefined : await exportArrays();

  const records: RunRecord[] = [];
  let backend: string | undefined;
  let torchVersion: string | undefined;
  for (const seed of seeds) {
    for (const spec of runSpecs(seed)) {
      const record: RunRecord = { spec };
      const describe = (outcome: Outcome) =>
        `${[...spec.targets, SOURCE_TEST].map((domain) => `${domain} ${percent(outcome.accuracy[domain])}%`).join(', ')}; ${outcome.seconds.toFixed(1)} s${outcome.reused ? ' (an earlier run, reused)' : ''}`;
      if (!values['skip-ours']) {
        console.log(`[${spec.name}] ours ...`);
        const ours = await trainOurs(spec);
        backend = ours.backend;
        record.ours = { accuracy: ours.accuracy, seconds: ours.seconds, reused: ours.reused };
        console.log(`[${spec.name}] ours: ${describe(record.ours)}`);
      }
      if (index) {
        console.log(`[${spec.name}] PyTorch ...`);
        record.torch = await trainTorch(spec, index);
        torchVersion = record.torch.version;
        console.log(`[${spec.name}] PyTorch: ${describe(record.torch)}`);
      }
      records.push(record);
    }
  }

  console.log(`\n${markdown(records, backend, torchVersion)}`);
  const loadAtEnd = loadAverage();
  console.log(`\nLoad average: ${loadAtStart} at the start, ${loadAtEnd} at the end (${os.cpus().length} cores).`);
  if (values.json) {
    const settings = { source: SOURCE, targets, seeds, epochs, stepsPerEpoch, batch: BATCH, optimizer: OPTIMIZER, dataDir, arraysDir, runsDir };
    const report = {
      settings,
      dannExperiment: experimentFor(runSpecs(seeds[0])[1]),
      backend,
      torchVersion,
      loadAverage: { start: loadAtStart, end: loadAtEnd },
      runs: records,
      rows: rowsOf(records),
    };
    await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
  }
}

main().catch((error: Error) => {
  console.error(`bench/parity: ${error.message}`);
  process.exitCode = 1;
});
