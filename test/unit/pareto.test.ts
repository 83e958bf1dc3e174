import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { costPlotPoints, pointLabel, type PlotPoint } from '../../src/runComparison/costPlotPoints';
import { groupRuns } from '../../src/runComparison/groupRuns';
import { frontSteps, paretoFront, type CostAccuracy } from '../../src/runComparison/paretoFront';
import { formatPercentTick, formatSi, linearAxis, linearScale, logAxis, logScale } from '../../src/runComparison/plotAxes';
import { buildComparisonTable, type ModelMetrics, type RunRecord } from '../../src/runComparison/runComparison';

const p = (cost: number, accuracy: number): CostAccuracy => ({ cost, accuracy });

/** The definition itself, O(n²): on the front when no other point is <= in cost and >= in accuracy with one strict. */
function bruteForceFront(points: readonly CostAccuracy[]): number[] {
  const ok = (point: CostAccuracy) => Number.isFinite(point.cost) && Number.isFinite(point.accuracy);
  return points.flatMap((a, i) =>
    ok(a) && !points.some((b) => ok(b) && b.cost <= a.cost && b.accuracy >= a.accuracy && (b.cost < a.cost || b.accuracy > a.accuracy)) ? [i] : [],
  );
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('Pareto front', () => {
  it('is empty without points, and a single point is its own front', () => {
    assert.deepEqual(paretoFront([]), []);
    assert.deepEqual(paretoFront([p(5, 0.5)]), [0]);
  });

  it('leaves out a point another beats on both counts, and lists the front cheapest first', () => {
    // 3 is dominated by 0 (cheaper and more accurate); the rest trade cost for accuracy.
    const points = [p(100, 0.6), p(1000, 0.8), p(10, 0.4), p(200, 0.5)];
    assert.deepEqual(paretoFront(points), [2, 0, 1]);
  });

  it('at equal cost keeps only the most accurate; at equal accuracy only the cheapest', () => {
    assert.deepEqual(paretoFront([p(100, 0.5), p(100, 0.6), p(50, 0.3)]), [2, 1]);
    assert.deepEqual(paretoFront([p(200, 0.6), p(100, 0.6), p(300, 0.7)]), [1, 2]);
  });

  it('keeps every copy of a duplicated point: equal points do not beat each other', () => {
    assert.deepEqual(paretoFront([p(100, 0.6), p(10, 0.2), p(100, 0.6)]), [1, 0, 2]);
    // A duplicate of a dominated point stays dominated.
    assert.deepEqual(paretoFront([p(100, 0.5), p(50, 0.7), p(100, 0.5)]), [1]);
  });

  it('ignores a point without a finite cost or accuracy: neither on the front nor beating one', () => {
    assert.deepEqual(paretoFront([p(Number.NaN, 0.99), p(100, 0.5), p(10, Number.NaN), p(Infinity, 1)]), [1]);
  });

  it('agrees with the definition on random points with many ties', () => {
    const next = random(42);
    for (let trial = 0; trial < 200; trial++) {
      const points = Array.from({ length: 1 + Math.floor(next() * 30) }, () => p(1 + Math.floor(next() * 8), Math.floor(next() * 6) / 5));
      assert.deepEqual(
        [...paretoFront(points)].sort((a, b) => a - b),
        bruteForceFront(points),
        JSON.stringify(points),
      );
    }
  });

  it('draws the front as a staircase: level to the next cost, then up to it', () => {
    assert.deepEqual(frontSteps([]), []);
    assert.deepEqual(frontSteps([p(10, 0.4)]), [[10, 0.4]]);
    assert.deepEqual(frontSteps([p(10, 0.4), p(100, 0.6), p(1000, 0.8)]), [
      [10, 0.4],
      [100, 0.4],
      [100, 0.6],
      [1000, 0.6],
      [1000, 0.8],
    ]);
  });
});

describe('plot axes', () => {
  it('puts log ticks on the decades a range spans, within its padded domain', () => {
    const axis = logAxis([61_706, 416_520, 8_900_000])!;
    assert.deepEqual(axis.ticks, [1e5, 1e6, 1e7]);
    assert.ok(axis.domain[0] < 61_706 && axis.domain[1] > 8_900_000);
    assert.deepEqual(logAxis([12_000, 2_000_000])!.ticks, [1e4, 1e5, 1e6]);
    for (const tick of axis.ticks) assert.ok(tick >= axis.domain[0] && tick <= axis.domain[1]);
    assert.deepEqual(axis.ticks.map(formatSi), ['100k', '1M', '10M']);
  });

  it('adds 2 and 5 (or every digit) between decades on a short range, and widens a too-short one to round values around it', () => {
    assert.deepEqual(logAxis([150_000, 900_000])!.ticks, [2e5, 5e5]);
    assert.deepEqual(logAxis([120_000, 416_520])!.ticks, [2e5, 3e5, 4e5]);
    // One value, or values too close for two round ticks between them.
    assert.deepEqual(logAxis([416_520]), { domain: [3e5, 5e5], ticks: [3e5, 4e5, 5e5] });
    assert.deepEqual(logAxis([400_000, 460_000]), { domain: [3e5, 5e5], ticks: [3e5, 4e5, 5e5] });
  });

  it('marks 2 to 9 times each decade, unlabelled, when it spans a few', () => {
    const axis = logAxis([61_706, 416_520, 8_900_000])!;
    assert.deepEqual(axis.minor?.slice(0, 6), [5e4, 6e4, 7e4, 8e4, 9e4, 2e5]);
    assert.ok(axis.minor?.every((tick) => tick >= axis.domain[0] && tick <= axis.domain[1] && !axis.ticks.includes(tick)));
    assert.equal(logAxis([1, 1e12])!.minor, undefined);
  });

  it('thins the decades when the range spans many, keeping the same ones whatever the ends', () => {
    assert.deepEqual(logAxis([1, 1e12])!.ticks, [1, 100, 1e4, 1e6, 1e8, 1e10, 1e12]);
    assert.deepEqual(logAxis([30, 1e12])!.ticks, [100, 1e4, 1e6, 1e8, 1e10, 1e12]);
  });

  it('writes small values exactly: milliseconds per image', () => {
    assert.deepEqual(logAxis([0.003, 0.7])!.ticks, [0.01, 0.1]);
    const latency = logAxis([0.048_437_5, 0.640_625])!;
    assert.deepEqual(latency.ticks, [0.05, 0.1, 0.2, 0.5]);
    assert.deepEqual(latency.ticks.map(formatSi), ['0.05', '0.1', '0.2', '0.5']);
    assert.deepEqual(logAxis([0.0313])!.ticks, [0.02, 0.03, 0.04]);
  });

  it('has no log axis without a positive value', () => {
    assert.equal(logAxis([]), undefined);
    assert.equal(logAxis([0, -5, Number.NaN]), undefined);
    assert.deepEqual(logAxis([0, 1000, 10_000])?.ticks, [1000, 1e4]);
  });

  it('maps values onto pixels: log for cost, linear for accuracy', () => {
    const x = logScale({ domain: [1e3, 1e6], ticks: [] }, 0, 300);
    assert.equal(x(1e3), 0);
    assert.ok(Math.abs(x(1e4) - 100) < 1e-9);
    assert.equal(x(1e6), 300);
    const y = linearScale({ domain: [0.4, 0.9], ticks: [] }, 200, 0);
    assert.equal(y(0.4), 200);
    assert.ok(Math.abs(y(0.65) - 100) < 1e-9);
  });

  it('gives accuracy round percent ticks over the range, within 0 to 100%', () => {
    const axis = linearAxis(0.46, 0.86, { bounds: [0, 1] });
    assert.deepEqual(axis.ticks, [0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    assert.deepEqual(axis.domain, [0.4, 0.9]);
    const top = linearAxis(0.97, 1, { bounds: [0, 1] });
    assert.equal(top.domain[1], 1, 'never above 100%');
    const flat = linearAxis(0.5, 0.5, { bounds: [0, 1] });
    assert.ok(flat.domain[0] < 0.5 && flat.domain[1] > 0.5 && flat.ticks.length >= 2);
  });

  it('writes counts with SI prefixes and percent ticks with the decimals their step needs', () => {
    assert.equal(formatSi(651_706), '651.7k');
    assert.equal(formatSi(416_520), '416.5k');
    assert.equal(formatSi(1_000_000), '1M');
    assert.equal(formatSi(200_000), '200k');
    assert.equal(formatSi(10_000), '10k');
    assert.equal(formatSi(999_960), '1M');
    assert.equal(formatSi(8_900_000_000), '8.9G');
    assert.equal(formatSi(0.048_437_5), '0.0484');
    assert.equal(formatSi(12), '12');
    assert.equal(formatPercentTick(0.6, 0.1), '60%');
    assert.equal(formatPercentTick(0.625, 0.025), '62.5%');
    assert.equal(formatPercentTick(0.62, 0.01), '62%');
  });
});

const model = (role: string, accuracy: number, macsPerImage?: number, parameters?: number): ModelMetrics => ({
  role,
  accuracy: { svhn: accuracy },
  meanTarget: accuracy,
  ...(macsPerImage === undefined ? {} : { macsPerImage }),
  ...(parameters === undefined ? {} : { parameters }),
});

function run(runId: string, method: string, seed: number, models: ModelMetrics[], lr = 0.001): RunRecord {
  return {
    runId,
    runDir: `/runs/${runId}`,
    state: 'done',
    experiment: { name: `${method}-lr${lr}`, method: { name: method }, optimizer: { studentLr: lr }, seed },
    targets: ['svhn'],
    models,
  };
}

const byKey = (points: PlotPoint[]) => Object.fromEntries(points.map((point) => [point.key, point]));

describe('cost plot points', () => {
  const table = buildComparisonTable([
    run('r1', 'kd-mtda', 0, [model('teacher', 0.8, 8_900_000, 1_180_000), model('student', 0.6, 416_520, 61_706)]),
    run('r2', 'kd-mtda', 1, [model('teacher', 0.84, 8_900_000, 1_180_000), model('student', 0.64, 416_520, 61_706)]),
    run('r3', 'kd-stda', 0, [model('teacher', 0.86, 8_900_000, 1_180_000), model('student', 0.55, 416_520, 61_706)]),
    // Still training: accuracy but no cost yet.
    run('r4', 'source-only', 0, [model('student', 0.3)]),
    // No evaluation yet: no point, and nothing missing.
    run('r5', 'kd-stda', 1, [{ role: 'student', accuracy: {} }]),
  ]);
  const all = table.rows.map((_, index) => index);

  it('has one point per model and run with an accuracy and a cost, the front marked, the methods listed', () => {
    const data = costPlotPoints(table, all, 'macs');
    assert.equal(data.points.length, 6);
    assert.equal(data.withoutCost, 1, 'r4’s student');
    assert.deepEqual(data.methods, ['kd-mtda', 'kd-stda'], 'the methods drawn');
    const points = byKey(data.points);
    assert.deepEqual(
      data.front.map((index) => data.points[index].key),
      ['/runs/r2\nstudent', '/runs/r3\nteacher'],
    );
    assert.equal(points['/runs/r2\nstudent'].onFront, true);
    assert.equal(points['/runs/r1\nstudent'].onFront, false);
    assert.deepEqual(
      { ...points['/runs/r1\nteacher'] },
      {
        key: '/runs/r1\nteacher',
        runDir: '/runs/r1',
        label: 'r1',
        runs: 1,
        grouped: false,
        role: 'teacher',
        method: 'kd-mtda',
        accuracy: 0.8,
        n: 1,
        cost: 8_900_000,
        onFront: false,
      },
    );
  });

  it('follows the rows shown (the filter) and the cost chosen', () => {
    const data = costPlotPoints(table, [2], 'params');
    assert.deepEqual(
      data.points.map((point) => [point.key, point.cost, point.onFront]),
      [
        ['/runs/r3\nstudent', 61_706, true],
        ['/runs/r3\nteacher', 1_180_000, true],
      ],
    );
    // No run records a latency: every model is without that cost.
    const latency = costPlotPoints(table, all, 'latency');
    assert.deepEqual([latency.points.length, latency.withoutCost, latency.front.length], [0, 7, 0]);
    assert.deepEqual(costPlotPoints(table, [], 'macs'), { points: [], front: [], methods: [], withoutCost: 0 });
  });

  it('grouped, has one point per configuration and model: mean, sample std and n, opening the group’s first run', () => {
    const rows = [1, 0, 2];
    const data = costPlotPoints(table, rows, 'macs', groupRuns(table, rows));
    const points = byKey(data.points);
    assert.equal(data.points.length, 4);
    const student = data.points.find((point) => point.label === 'kd-mtda-lr0.001' && point.role === 'student')!;
    assert.equal(student.grouped, true);
    assert.equal(student.runs, 2);
    assert.equal(student.n, 2);
    assert.ok(Math.abs(student.accuracy - 0.62) < 1e-12);
    assert.ok(Math.abs(student.std! - Math.sqrt(0.0008)) < 1e-12, `${student.std}`);
    assert.equal(student.runDir, '/runs/r2', 'the first run as shown');
    assert.equal(student.cost, 416_520);
    const single = data.points.find((point) => point.label === 'kd-stda-lr0.001' && point.role === 'student')!;
    assert.equal(single.std, undefined, 'one run: no spread');
    assert.deepEqual(
      data.front.map((index) => `${data.points[index].label} ${data.points[index].role}`),
      ['kd-mtda-lr0.001 student', 'kd-stda-lr0.001 teacher'],
    );
    assert.equal(Object.keys(points).length, 4, 'keys are unique');
  });

  it('reads a point as a screen reader hears it', () => {
    const data = costPlotPoints(
      buildComparisonTable([run('run-x', 'kd-mtda', 0, [model('student', 0.484, 651_706)]), run('run-y', 'kd-mtda', 0, [model('student', 0.2, 1e6)])]),
      [0, 1],
      'macs',
    );
    assert.equal(pointLabel(data.points[0], 'macs'), 'run run-x, student: 48.4% at 651.7k MACs, on the Pareto front');
    assert.equal(pointLabel(data.points[1], 'macs'), 'run run-y, student: 20.0% at 1M MACs');
    const grouped = costPlotPoints(table, [1, 0], 'params', groupRuns(table, [1, 0]));
    assert.equal(
      pointLabel(
        grouped.points.find((point) => point.role === 'student')!,
        'params',
      ),
      'kd-mtda-lr0.001 (2 runs), student: 62.0 ± 2.8% (n = 2) at 61.7k parameters, on the Pareto front',
    );
  });
});
