/**
 * Synthetic run folders for bench/panels.ts, deterministic: a long live-style run for the results
 * panel and realistic finished runs (full experiment.json, results.json) for Compare Runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResults } from '../src/runFolder/results';
import type { EpochEvent, EvalEvent } from '../src/runFolder/runEvents';

export const EPOCHS = 200;
export const TARGETS = Array.from({ length: 10 }, (_, i) => `target-${i}`);
export const ROLES = ['teacher-a', 'teacher-b', 'student'];
export const RESULTS_RUN_ID = '20261128-000000-bench';
/** With the results case's run, the runs folder holds this many run folders. */
export const COMPARED_RUNS = 1000;
const CLASSES = 10;

/** A deterministic pseudo-random stream, so every bench run writes the same folders. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export function writeResultsRun(runsDir: string): void {
  const runDir = path.join(runsDir, RESULTS_RUN_ID);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(path.join(runDir, 'status.json'), JSON.stringify({ version: 1, state: 'done', startedAt: '2026-11-28T00:00:00.000Z' }));
  writeFileSync(path.join(runDir, 'experiment.json'), JSON.stringify(experiment('bench', 'mt-mtda', 0, random(1))));
  const lines: string[] = [];
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const accuracy = Object.fromEntries(
      ROLES.map((role, r) => [role, Object.fromEntries(TARGETS.map((target, t) => [target, Math.min(1, 0.1 + 0.004 * epoch + 0.01 * ((r + t) % 5))]))]),
    );
    const entropy = Object.fromEntries(ROLES.map((role) => [role, Object.fromEntries(TARGETS.map((target) => [target, 1 / epoch]))]));
    const evaluated: EvalEvent = { t: 't', kind: 'eval', epoch, accuracy, entropy };
    const meanTargetAccuracy = Object.fromEntries(
      ROLES.map((role) => [role, TARGETS.reduce((sum, target) => sum + accuracy[role][target], 0) / TARGETS.length]),
    );
    const done: EpochEvent = {
      t: 't',
      kind: 'epoch',
      epoch,
      epochs: EPOCHS,
      beta: 0.1 * Math.exp((Math.log(9) / EPOCHS) * (epoch - 1)),
      losses: { 'student.ce': 2 / epoch, 'teacher-a.ce': 1.5 / epoch, 'teacher-a.dann': 0.7 },
      meanTargetAccuracy,
    };
    lines.push(JSON.stringify(evaluated), JSON.stringify(done));
  }
  writeFileSync(path.join(runDir, 'events.jsonl'), `${lines.join('\n')}\n`);
}

/** A resolved experiment.json as the trainer writes it: every field present, defaults filled. */
function experiment(name: string, method: string, index: number, next: () => number) {
  return {
    version: 1,
    name,
    data: {
      root: '/data/office-home-10',
      layout: 'imagefolder',
      source: 'source',
      targets: TARGETS,
      imageSize: [32, 64, 96][index % 3],
      channels: 3,
      split: { kind: 'holdout', testFraction: 0.2 },
      augment: { randomResizedCrop: index % 4 === 0, horizontalFlip: index % 2 === 0 },
    },
    teacher: { architecture: index % 5 === 0 ? 'resnet-wide' : 'resnet-small', width: [0.5, 1, 2][index % 3] },
    student: { architecture: 'lenet5', width: [0.25, 0.5, 1][(index >> 1) % 3] },
    method: {
      name: method,
      model: 'student',
      udaLoss: index % 3 === 0 ? 'mmd' : 'dann',
      temperature: [1, 2, 4, 8][index % 4],
      alpha: Math.round(next() * 100) / 100,
      beta: { start: 0.1, end: 0.9 },
      gamma: 10,
      kdDirection: 'teacher-to-student',
      discriminator: 'dann-digits',
      studentAdversarial: 'two-domain',
    },
    optimizer: {
      name: index % 2 ? 'adam' : 'sgd',
      teacherLr: 0.001,
      studentLr: [0.01, 0.003, 0.001, 0.0003][index % 4],
      momentum: 0.9,
      weightDecay: 0.0005,
      lrSchedule: 'per-step',
    },
    epochs: [20, 30, 50][index % 3],
    batchSize: [32, 64, 128][(index >> 2) % 3],
    seed: index,
    backend: 'auto',
  };
}

/**
 * A run folder as a finished run leaves it: experiment.json, status.json, and a results.json with
 * the headline, the three epoch selections, per-epoch history, per-class accuracy, confusion
 * matrices and costs, for every model (KD-MTDA: one teacher; MT-MTDA: one teacher per target).
 */
export function writeComparedRun(runsDir: string, index: number): void {
  const next = random(index + 7);
  const method = index % 3 === 2 ? 'mt-mtda' : 'kd-mtda';
  const day = String(1 + (index % 28)).padStart(2, '0');
  const time = `${String(index % 24).padStart(2, '0')}${String((index * 7) % 60).padStart(2, '0')}${String(index % 60).padStart(2, '0')}`;
  const runId = `202611${day}-${time}-${method}-${index}`;
  const runDir = path.join(runsDir, runId);
  mkdirSync(runDir, { recursive: true });
  const exp = experiment(`${method}-${index}`, method, index, next);
  const startedAt = `2026-11-${day}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4)}.000Z`;
  writeFileSync(path.join(runDir, 'experiment.json'), JSON.stringify(exp, null, 2));
  writeFileSync(
    path.join(runDir, 'status.json'),
    JSON.stringify({ version: 1, state: 'done', pid: 1000 + index, host: 'bench', startedAt, endedAt: startedAt }),
  );
  const roles = method === 'mt-mtda' ? [...TARGETS.map((target) => `teacher-${target}`), 'student'] : ['teacher', 'student'];
  const domains = [...TARGETS, 'source-holdout'];
  const scores = () => Object.fromEntries(roles.map((role) => [role, Object.fromEntries(domains.map((domain) => [domain, Math.round(next() * 1000) / 1000]))]));
  const history = Array.from({ length: exp.epochs }, (_, epoch) => ({ epoch: epoch + 1, accuracy: scores(), entropy: scores() }));
  const final = history[history.length - 1];
  const mean = (byDomain: Record<string, number>) => TARGETS.reduce((sum, target) => sum + byDomain[target], 0) / TARGETS.length;
  const selection = (label: string) =>
    Object.fromEntries(roles.map((role) => [role, { label, epoch: exp.epochs, accuracy: final.accuracy[role], meanTarget: mean(final.accuracy[role]) }]));
  const confusion = () =>
    Array.from({ length: CLASSES }, (_, row) => Array.from({ length: CLASSES }, (_, column) => (row === column ? 80 : Math.floor(next() * 5))));
  const results: RunResults = {
    version: 1,
    method,
    backend: 'tensorflow',
    classNames: Array.from({ length: CLASSES }, (_, i) => `class-${i}`),
    targets: TARGETS,
    headline: {
      label: 'last epoch (no target labels used)',
      epoch: exp.epochs,
      accuracy: final.accuracy,
      meanTarget: Object.fromEntries(roles.map((role) => [role, mean(final.accuracy[role])])),
    },
    oracle: selection('oracle'),
    labelFree: selection('label-free'),
    labelFreeEntropy: selection('label-free entropy'),
    history,
    perClass: Object.fromEntries(
      roles.map((role) => [role, Object.fromEntries(domains.map((domain) => [domain, Array.from({ length: CLASSES }, () => Math.round(next() * 100) / 100)]))]),
    ),
    confusion: Object.fromEntries(roles.map((role) => [role, Object.fromEntries(domains.map((domain) => [domain, confusion()]))])),
    // Costs grow with the width squared (latency with the width), so the cost plot's markers spread over decades.
    costs: Object.fromEntries(
      roles.map((role) => {
        const student = role === 'student';
        const width = student ? exp.student.width : exp.teacher.width * (exp.teacher.architecture === 'resnet-wide' ? 2 : 1);
        const [parameters, macsPerImage, latencyMsPerBatch] = student ? [61_706, 416_520, 3.1] : [11_200_000, 557_000_000, 41];
        const cost = { parameters: Math.round(parameters * width ** 2), macsPerImage: Math.round(macsPerImage * width ** 2) };
        return [role, { ...cost, latencyMsPerBatch: latencyMsPerBatch * width, latencyBatchSize: 64, backend: 'tensorflow' }];
      }),
    ),
  };
  writeFileSync(path.join(runDir, 'results.json'), JSON.stringify(results));
}
