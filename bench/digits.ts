/**
 * The papers' claim on our own data: on the Digits benchmark (source mnist, three targets), the
 * MT-MTDA student against the student adapted directly (DANN), KD-STDA per target, KD-MTDA by
 * blending, the source-only student, MT-MTDA with attention-map or hint distillation too
 * (kd.features), online KD (one branched student, no teacher), and the teachers; per-target accuracy and its mean, mean ± std
 * over seeds, beside each model's cost (parameters, multiply-accumulates per image).
 *
 *   npm run bench:digits                          (builds first)
 *   node out/bench/digits.js [--data DIR] [--size N] [--seeds 0,1,2] [--epochs E] [--steps S]
 *                            [--batch B] [--teacher-width W] [--backend auto] [--trainer FILE]
 *                            [--methods source-only,dann-student,...] [--student-adversarial two-domain|target-only]
 *                            [--targets a,b] [--runs-dir DIR] [--json FILE] [--report]
 *
 * Each method is one sweep file (`seed` over the seeds; KD-STDA also `data.targets` over the
 * single targets), written from these options into `<runs-dir>/.experiments/` with the data
 * folder's absolute path, and run by the trainer's own sweep runner (`kd-uda sweep FILE
 * --runs-dir DIR`): every run is the real trainer CLI in its own process, and a point whose done
 * run (same resolved experiment, name aside) is in the runs folder is reused, so an interrupted
 * benchmark continues where it stopped. The table is read from each point's results.json.
 *
 * `--report` trains nothing: it prints the table of the runs already finished, each row over the
 * seeds it has (column n).
 * The recipe is the DANN paper's for digits: `batch` images per domain a step (each target its own
 * batch), the learning rate and the reversal weight annealed per step, the discriminator on the
 * conv features with no batch norm (the trainer's defaults). The headline is each run's last
 * epoch: no target label chooses anything.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readResultsJson, readStatusJson } from '../src/runFolder/readRunFiles';
import type { RunResults } from '../src/runFolder/results';
import { readExperimentFile } from '../src/trainer/cli/experimentFile';
import { matchingRuns } from '../src/trainer/cli/prepare';
import { ensureDigits, runProcess } from './trainerRuns';
import { compactCount } from '../src/util/compactCount';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    size: { type: 'string', default: '10000' },
    seeds: { type: 'string', default: '0,1,2' },
    epochs: { type: 'string', default: '10' },
    steps: { type: 'string', default: '300' },
    batch: { type: 'string', default: '64' },
    methods: { type: 'string', default: 'source-only,dann-student,dann-teacher,kd-stda,kd-mtda,mt-mtda' },
    'student-adversarial': { type: 'string' },
    targets: { type: 'string' },
    report: { type: 'boolean', default: false },
    'teacher-width': { type: 'string', default: '4' },
    backend: { type: 'string', default: 'auto' },
    trainer: { type: 'string' },
    'runs-dir': { type: 'string' },
    json: { type: 'string' },
  },
});

const root = path.resolve(__dirname, '..', '..');
const trainer = path.resolve(values.trainer ?? path.join(root, 'dist', 'trainer.js'));
const dataDir = path.resolve(values.data ?? path.join(root, '.cache', 'bench', 'digits'));
const runsDir = path.resolve(values['runs-dir'] ?? path.join(root, '.cache', 'bench', 'digits-runs'));
/** Where the sweep files go: a dot folder, which the runs folder's listings skip. */
const sweepFilesDir = path.join(runsDir, '.experiments');
const seeds = values.seeds.split(',').map(Number);
const SOURCE = 'mnist';

/** One benchmark row: a model of one method's run(s), evaluated on the targets it was adapted to. */
interface RowSpec {
  label: string;
  method: MethodKey;
  /** The model's role in results.json; per-target teachers are read from teacher-<target>. */
  role: 'student' | 'teacher' | 'teacher-per-target' | 'branch-1' | 'aggregate';
}

const METHODS = ['source-only', 'dann-student', 'dann-teacher', 'kd-stda', 'kd-mtda', 'mt-mtda', 'mt-mtda-attention', 'mt-mtda-hint', 'online-kd'] as const;
type MethodKey = (typeof METHODS)[number];

const ROWS: RowSpec[] = [
  { label: 'student, source only', method: 'source-only', role: 'student' },
  { label: 'student adapted directly (DANN, targets blended)', method: 'dann-student', role: 'student' },
  { label: 'KD-STDA students (one run per target)', method: 'kd-stda', role: 'student' },
  { label: 'KD-MTDA student (blending)', method: 'kd-mtda', role: 'student' },
  { label: 'MT-MTDA student', method: 'mt-mtda', role: 'student' },
  { label: 'MT-MTDA student + attention maps (AT)', method: 'mt-mtda-attention', role: 'student' },
  { label: 'MT-MTDA student + hints (FitNets)', method: 'mt-mtda-hint', role: 'student' },
  { label: 'online KD, branch 1 (the deployable student)', method: 'online-kd', role: 'branch-1' },
  { label: 'online KD, gated aggregate of 3 branches', method: 'online-kd', role: 'aggregate' },
  { label: 'teacher adapted directly (DANN, targets blended)', method: 'dann-teacher', role: 'teacher' },
  { label: 'KD-STDA teachers (one run per target)', method: 'kd-stda', role: 'teacher' },
  { label: 'KD-MTDA teacher (DANN, targets blended)', method: 'kd-mtda', role: 'teacher' },
  { label: 'MT-MTDA teachers (each on its own target)', method: 'mt-mtda', role: 'teacher-per-target' },
  { label: 'MT-MTDA + AT teachers', method: 'mt-mtda-attention', role: 'teacher-per-target' },
  { label: 'MT-MTDA + hints teachers', method: 'mt-mtda-hint', role: 'teacher-per-target' },
];

/** KD-STDA adapts to one target: one run per target; every other method is one run for all targets. */
function runTargets(method: MethodKey, targets: string[]): string[][] {
  return method === 'kd-stda' ? targets.map((target) => [target]) : [targets];
}

function methodSection(method: MethodKey): Record<string, unknown> {
  const studentAdversarial = values['student-adversarial'] ? { studentAdversarial: values['student-adversarial'] } : {};
  switch (method) {
    case 'source-only':
      return { name: 'source-only', model: 'student' };
    case 'dann-student':
      return { name: 'dann', model: 'student' };
    case 'dann-teacher':
      return { name: 'dann', model: 'teacher' };
    case 'mt-mtda-attention':
    case 'mt-mtda-hint':
      return { name: 'mt-mtda', ...studentAdversarial };
    case 'online-kd':
      // ONE's temperature (Lan et al. 2018), not the KD methods' default of 20.
      return { name: 'online-kd', temperature: 3 };
    default:
      return { name: method, ...studentAdversarial };
  }
}

/** kd.features for the rows that distil hidden layers too, at the defaults of the file format (no target label tunes them). */
function featureSection(method: MethodKey): Record<string, unknown> {
  if (method === 'mt-mtda-attention') return { kd: { features: { loss: 'attention' } } };
  if (method === 'mt-mtda-hint') return { kd: { features: { loss: 'hint' } } };
  return {};
}

/**
 * One method's sweep file: the seeds (and for KD-STDA each single target) as its axes. Each
 * point resolves to exactly the experiment the benchmark ran before it was a sweep (one file per
 * run, `bench-digits-<method>[-<target>]-seed<seed>`), name aside, so those runs are reused.
 */
function sweepFileFor(method: MethodKey, targets: string[]): Record<string, unknown> {
  // Runs of the default two-domain term keep the plain name, so a comparison tells them apart by name too.
  const adversarial =
    values['student-adversarial'] === 'target-only' && ['kd-stda', 'kd-mtda', 'mt-mtda', 'mt-mtda-attention', 'mt-mtda-hint'].includes(method)
      ? '-target-only'
      : '';
  const runsPerTarget = method === 'kd-stda';
  return {
    version: 1,
    name: `bench-digits-${method}${adversarial}`,
    data: { root: dataDir, source: SOURCE, targets: runTargets(method, targets)[0], imageSize: 28, channels: 3, split: { kind: 'folders' } },
    // Only the runs that train a teacher name one; leaving it out elsewhere lets a change of
    // teacher reuse the student-only runs.
    ...(method === 'source-only' || method === 'dann-student' || method === 'online-kd'
      ? {}
      : { teacher: { architecture: 'lenet5', width: Number(values['teacher-width']) } }),
    student: { architecture: 'lenet5' },
    method: methodSection(method),
    ...featureSection(method),
    optimizer: { teacherLr: 0.01, studentLr: 0.01 },
    epochs: Number(values.epochs),
    stepsPerEpoch: Number(values.steps),
    batchSize: Number(values.batch),
    backend: values.backend,
    sweep: { seed: seeds, ...(runsPerTarget ? { 'data.targets': runTargets(method, targets) } : {}) },
  };
}

async function ensureBenchmark(): Promise<string[]> {
  const domains = await ensureDigits(trainer, dataDir, values.size);
  const targets = domains.filter((name) => name !== SOURCE);
  if (!domains.includes(SOURCE) || targets.length < 2)
    throw new Error(`${dataDir}: the benchmark needs ${SOURCE} and at least two targets, has ${domains.join(', ')}`);
  return targets;
}

/** A point's finished run: its results, and its own wall time (status.json). */
interface FinishedPoint {
  seed: number;
  targets: string[];
  results: RunResults;
  seconds: number;
  /** Whether it was done before this invocation ran the sweep. */
  reused: boolean;
}

/** The done runs of a sweep file's points in `runsDir`, as `kd-uda prepare` would match them; nothing is written. */
async function finishedPoints(
  file: string,
  doneBefore: ReadonlySet<string>,
): Promise<{ finished: FinishedPoint[]; missing: Pick<FinishedPoint, 'seed' | 'targets'>[] }> {
  const read = await readExperimentFile(file);
  const matches = await matchingRuns(read, runsDir);
  const finished: FinishedPoint[] = [];
  const missing: Pick<FinishedPoint, 'seed' | 'targets'>[] = [];
  for (const [at, point] of read.points.entries()) {
    const { seed, data } = point.experiment;
    const match = matches[at];
    if (match?.state !== 'done') {
      missing.push({ seed, targets: data.targets });
      continue;
    }
    const { startedAt, endedAt } = await readStatusJson(match.dir);
    const seconds = startedAt && endedAt ? (Date.parse(endedAt) - Date.parse(startedAt)) / 1000 : Number.NaN;
    finished.push({ seed, targets: data.targets, results: await readResultsJson(match.dir), seconds, reused: doneBefore.has(match.dir) });
  }
  return { finished, missing };
}

/** The folders of a sweep file's points that are done now. */
async function doneRuns(file: string): Promise<Set<string>> {
  const matches = await matchingRuns(await readExperimentFile(file), runsDir);
  return new Set(matches.flatMap((match) => (match?.state === 'done' ? [match.dir] : [])));
}

/** `kd-uda sweep FILE --runs-dir DIR`, its lines echoed; throws when a run did not end done. */
async function runSweep(file: string): Promise<void> {
  let lastLines: string[] = [];
  const code = await runProcess(process.execPath, [trainer, 'sweep', file, '--runs-dir', runsDir], (line) => {
    lastLines = [...lastLines.slice(-19), line];
    console.log(`  ${line}`);
  });
  if (code !== 0) throw new Error(`kd-uda sweep ${file} exited with ${code}; last lines:\n${lastLines.join('\n')}`);
}

function pointLabel(method: MethodKey, point: Pick<FinishedPoint, 'seed' | 'targets'>): string {
  return `[seed ${point.seed}] ${method}${method === 'kd-stda' ? ` -> ${point.targets[0]}` : ''}`;
}

/** Accuracy per target of one row's model(s) in one seed's run(s): per-target teachers and KD-STDA runs each on their own target. */
function rowAccuracy(row: RowSpec, runs: RunResults[], targets: string[]): Record<string, number> {
  return Object.fromEntries(
    targets.map((target) => {
      const results = runs.find((run) => run.targets.includes(target))!;
      const role = row.role === 'teacher-per-target' ? `teacher-${target}` : row.role;
      return [target, results.headline.accuracy[role][target]];
    }),
  );
}

function rowCost(row: RowSpec, results: RunResults): { parameters: number; macs: number } {
  const role = row.role === 'teacher-per-target' ? Object.keys(results.costs).find((name) => name.startsWith('teacher-'))! : row.role;
  return { parameters: results.costs[role].parameters, macs: results.costs[role].macsPerImage };
}

/** Mean ± sample std in percent; one seed has no spread to show. */
function meanStd(samples: number[]): string {
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  if (samples.length === 1) return (100 * mean).toFixed(1);
  const variance = samples.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (samples.length - 1);
  return `${(100 * mean).toFixed(1)} ± ${(100 * Math.sqrt(variance)).toFixed(1)}`;
}

async function main(): Promise<void> {
  if (!existsSync(trainer)) throw new Error(`${trainer} is missing: run \`node esbuild.mjs\` first (npm run bench:digits does)`);
  const available = await ensureBenchmark();
  const targets = values.targets ? values.targets.split(',') : available;
  const unknown = targets.filter((target) => !available.includes(target));
  if (unknown.length) throw new Error(`--targets: ${unknown.join(', ')} not in the benchmark (${available.join(', ')})`);
  const methods = values.methods.split(',').map((name) => {
    if (!(METHODS as readonly string[]).includes(name)) throw new Error(`--methods: unknown method "${name}"; known: ${METHODS.join(', ')}`);
    return name as MethodKey;
  });
  const results = new Map<string, RunResults[]>();
  const seconds = new Map<MethodKey, number[]>();
  const startedAll = Date.now();
  console.log(
    `Digits: ${SOURCE} -> ${targets.join(', ')}; seeds ${seeds.join(', ')}; ${values.epochs} epochs x ${values.steps} steps, ${values.batch} images per domain a step; teacher lenet5 x${values['teacher-width']}; load ${os.loadavg()[0].toFixed(2)}`,
  );
  await mkdir(sweepFilesDir, { recursive: true });
  for (const method of methods) {
    const document = sweepFileFor(method, targets);
    const file = path.join(sweepFilesDir, `${String(document.name)}.kdexp.json`);
    await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
    const doneBefore = await doneRuns(file);
    if (!values.report) {
      console.log(`${method}: kd-uda sweep ${file}`);
      await runSweep(file);
    }
    const { finished, missing } = await finishedPoints(file, doneBefore);
    for (const point of finished) {
      results.set(`${method}/${point.seed}`, [...(results.get(`${method}/${point.seed}`) ?? []), point.results]);
      seconds.set(method, [...(seconds.get(method) ?? []), point.seconds]);
      // A teacher-only run (DANN on the teacher) has no student: report the model it trained.
      const scores = Object.entries(point.results.headline.meanTarget).map(([role, mean]) => `${role} ${(100 * mean).toFixed(1)}%`);
      console.log(
        `${pointLabel(method, point)}: ${point.seconds.toFixed(0)} s${point.reused ? ' (an earlier run, reused)' : ''}, mean target ${scores.join(', ')}`,
      );
    }
    for (const point of missing) console.log(`${pointLabel(method, point)}: not run yet`);
  }

  // A seed counts for a row once all its runs are done (KD-STDA: one per target).
  const complete = (method: MethodKey, seed: number) => (results.get(`${method}/${seed}`)?.length ?? 0) === runTargets(method, targets).length;
  const header = ['model', ...targets, 'mean', 'n', 'params', 'MACs/image'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  const table: Record<string, unknown>[] = [];
  for (const row of ROWS.filter((candidate) => methods.includes(candidate.method))) {
    const done = seeds.filter((seed) => complete(row.method, seed));
    if (done.length === 0) continue;
    const perSeed = done.map((seed) => rowAccuracy(row, results.get(`${row.method}/${seed}`)!, targets));
    const means = perSeed.map((accuracy) => targets.reduce((sum, target) => sum + accuracy[target], 0) / targets.length);
    const cost = rowCost(row, results.get(`${row.method}/${done[0]}`)![0]);
    const cells = [...targets.map((target) => meanStd(perSeed.map((accuracy) => accuracy[target]))), meanStd(means)];
    lines.push(`| ${row.label} | ${cells.join(' | ')} | ${done.length} | ${compactCount(cost.parameters)} | ${compactCount(cost.macs)} |`);
    table.push({ label: row.label, seeds: done, perSeed, means, cost });
  }
  const first = [...results.values()][0]?.[0];
  if (!first) throw new Error(`no finished run in ${runsDir}`);
  console.log(`\nTarget test accuracy (%), last epoch, mean ± std over the seeds each row has (${first.backend}):\n`);
  console.log(lines.join('\n'));
  const timing = methods
    .filter((method) => seconds.has(method))
    .map((method) => {
      const runs = seconds.get(method)!;
      return `${method} ${(runs.reduce((a, b) => a + b, 0) / runs.length).toFixed(0)} s`;
    });
  const trainingMinutes = [...seconds.values()].flat().reduce((a, b) => a + b, 0) / 60;
  console.log(
    `\nMean wall time per run: ${timing.join(', ')}; ${trainingMinutes.toFixed(1)} min of training in all (this invocation ${((Date.now() - startedAll) / 60000).toFixed(1)} min); load ${os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
  if (values.json) await writeFile(values.json, `${JSON.stringify({ targets, seeds, settings: sweepFileFor(methods[0], targets), rows: table }, null, 2)}\n`);
}

main().catch((error: Error) => {
  console.error(`bench/digits: ${error.message}`);
  process.exitCode = 1;
});
