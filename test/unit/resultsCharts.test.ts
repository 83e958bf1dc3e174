import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EpochPoint } from '../../src/protocol/resultsMessages';
import { epochAxis, lossText, tickStep, VALUE_SCALES, type ValueKind } from '../../webview-ui/results/axisTicks';
import { curveCharts, lossTerm } from '../../webview-ui/results/curveCharts';
import { DASHES, seriesStyle } from '../../webview-ui/results/seriesPalette';
import { contrastRatio, oklabDistance } from '../../webview-ui/shared/colour';

/** What a tick label says, in the axis's own units (an accuracy label in % is a share of 1). */
function labelValue(kind: ValueKind, label: string): number {
  const number = Number(label.replace('−', '-').replace('%', ''));
  assert.ok(Number.isFinite(number), `"${label}" is a number`);
  return kind === 'accuracy' ? number / 100 : number;
}

describe('the Results curves’ axes', () => {
  const ranges: [ValueKind, number[]][] = [
    // The case: accuracies around 6.7% must not be labelled "7%" a notch below 6.7.
    ['accuracy', [0.061, 0.067, 0.072, 0.079]],
    ['accuracy', [0.0667, 0.0672]],
    ['accuracy', [0.1, 0.9833]],
    ['accuracy', [0.4492, 0.4634, 0.4848]],
    ['accuracy', [0.3]],
    ['loss', [0.0117, 0.3479]],
    ['loss', [0.00031, 0.00093]],
    ['loss', [-0.2, 0.57]],
    ['loss', [120, 910]],
    ['loss', [2.5]],
    ['weight', [0.1, 0.1246, 0.15]],
  ];
  for (const [kind, values] of ranges) {
    it(`labels each ${kind} tick with exactly its value, and spans [${values.join(', ')}]`, () => {
      const scale = VALUE_SCALES[kind];
      const axis = scale.axis(values);
      const step = tickStep(axis);
      const labels = axis.ticks.map((tick) => scale.tick(tick, step));
      assert.ok(axis.ticks.length >= 2, `at least two ticks to read a position by: ${labels.join(', ')}`);
      assert.equal(new Set(labels).size, labels.length, `no two ticks read alike: ${labels.join(', ')}`);
      axis.ticks.forEach((tick, i) => assert.ok(Math.abs(labelValue(kind, labels[i]) - tick) <= 1e-9 * Math.max(1, Math.abs(tick)), `${labels[i]} at ${tick}`));
      assert.ok(axis.domain[0] <= Math.min(...values) && Math.max(...values) <= axis.domain[1], `domain ${axis.domain.join('..')}`);
      // Read against the labels, every value lies between the two labelled ticks its position lies between.
      for (const value of values) {
        const below = axis.ticks.filter((tick) => tick <= value + 1e-12).at(-1);
        const above = axis.ticks.find((tick) => tick >= value - 1e-12);
        if (below !== undefined)
          assert.ok(labelValue(kind, scale.tick(below, step)) <= value + 1e-12, `${value} is not below the label ${scale.tick(below, step)}`);
        if (above !== undefined)
          assert.ok(labelValue(kind, scale.tick(above, step)) >= value - 1e-12, `${value} is not above the label ${scale.tick(above, step)}`);
      }
    });
  }

  it('puts the 6.7% of the issue between ticks labelled 6.5% and 7.0%, not under a "7%"', () => {
    const axis = VALUE_SCALES.accuracy.axis([0.061, 0.067, 0.079]);
    const labels = axis.ticks.map((tick) => VALUE_SCALES.accuracy.tick(tick, tickStep(axis)));
    assert.ok(labels.includes('6.5%') && labels.includes('7.0%'), labels.join(', '));
    assert.ok(!labels.includes('7%'), labels.join(', '));
  });

  it('ticks the epoch axis at whole epochs only, from the first epoch to the last', () => {
    assert.deepEqual(epochAxis(1, 3), { domain: [1, 3], ticks: [1, 2, 3] });
    assert.deepEqual(epochAxis(1, 10), { domain: [1, 10], ticks: [2, 4, 6, 8, 10] });
    assert.deepEqual(epochAxis(4, 4), { domain: [3.5, 4.5], ticks: [4] });
    for (const last of [2, 7, 13, 40, 99, 250, 1234]) {
      const { ticks } = epochAxis(1, last);
      assert.ok(ticks.length >= 1 && ticks.length <= 6, `1..${last}: ${ticks.join(', ')}`);
      for (const tick of ticks) assert.ok(Number.isInteger(tick) && tick >= 1 && tick <= last, `1..${last}: ${tick}`);
    }
  });

  it('writes values as the table does: accuracy in % with one decimal, losses to three significant digits', () => {
    assert.equal(VALUE_SCALES.accuracy.value(0.067), '6.7%');
    assert.equal(VALUE_SCALES.accuracy.value(null), '–');
    assert.equal(lossText(0.0308295308285354), '0.0308');
    assert.equal(lossText(0.3479729562625289), '0.348');
    assert.equal(lossText(1.2345), '1.23');
    assert.equal(lossText(-0.25), '−0.250');
    assert.equal(lossText(123.456), '123.5');
    assert.equal(VALUE_SCALES.weight.value(0.12457309396155175), '0.125');
    assert.equal(VALUE_SCALES.loss.title, 'loss');
    assert.equal(VALUE_SCALES.accuracy.title, 'accuracy (%)');
  });
});

describe('the Results curves’ palette', () => {
  // Dark Modern, Dark+, high contrast dark; Light Modern, Light+, high contrast light.
  const backgrounds = { dark: ['#1f1f1f', '#1e1e1e', '#000000'], light: ['#ffffff', '#f3f3f3'] } as const;
  for (const theme of ['dark', 'light'] as const) {
    it(`gives 16 curves 16 different colour-and-dash styles in the ${theme} theme, the first ten 10 distinct colours legible on the background`, () => {
      const styles = Array.from({ length: 16 }, (_, i) => seriesStyle(theme, i));
      assert.equal(new Set(styles.map((style) => `${style.colour} ${style.dash}`)).size, 16);
      const colours = styles.slice(0, 10).map((style) => style.colour);
      for (let i = 0; i < colours.length; i++) {
        for (const background of backgrounds[theme]) assert.ok(contrastRatio(colours[i], background) >= 3, `${colours[i]} on ${background}`);
        for (let j = i + 1; j < colours.length; j++) {
          const distance = oklabDistance(colours[i], colours[j]);
          assert.ok(distance >= 0.12, `${colours[i]} and ${colours[j]}: ΔE(OKLab) ${distance.toFixed(3)}`);
        }
      }
      assert.equal(DASHES[0], '', 'the first curve is solid');
    });
  }
});

describe('the Results curves of an MT-MTDA run', () => {
  const targets = ['mnist-photo', 'font-digits', 'uci-digits'];
  const roles = [...targets.map((target) => `teacher-${target}`), 'student'];
  // The loss terms an MT-MTDA run with DANN writes (events.jsonl of a real run), in its order.
  const lossKeys = targets.flatMap((target) => [
    `teacher-${target}.ce`,
    `teacher-${target}.dann`,
    `student.sourceKd@${target}`,
    `student.targetKd@${target}`,
    `student.adversarial@${target}`,
  ]);
  const history: EpochPoint[] = [1, 2, 3].map((epoch) => ({
    epoch,
    accuracy: Object.fromEntries(roles.map((role, r) => [role, Object.fromEntries(targets.map((target, t) => [target, 0.06 + 0.001 * (epoch + r + t)]))])),
    losses: Object.fromEntries(lossKeys.map((key, k) => [key, 0.3 / (epoch + k)])),
    beta: 0.1 * epoch,
  }));

  it('reads a loss key as model, term and round', () => {
    assert.deepEqual(lossTerm('teacher-usps.ce'), { key: 'teacher-usps.ce', model: 'teacher-usps', term: 'ce' });
    assert.deepEqual(lossTerm('student.targetKd@usps'), { key: 'student.targetKd@usps', model: 'student', term: 'targetKd', round: 'usps' });
    assert.deepEqual(lossTerm('total'), { key: 'total', model: 'model', term: 'total' });
  });

  it('draws accuracy per model, one loss chart per teacher and per student round, and β: none with more than four curves', () => {
    const charts = curveCharts(
      history,
      roles.map((role) => ({ role })),
      targets,
    );
    assert.deepEqual(
      charts.map((chart) => [chart.id, chart.series.map((series) => series.label)]),
      [
        ['accuracy-chart', roles],
        ...targets.map((target) => [`loss-chart-teacher-${target}`, ['ce', 'dann']]),
        ...targets.map((target) => [`loss-chart-student-at-${target}`, ['adversarial', 'sourceKd', 'targetKd']]),
        ['beta-chart', ['β']],
      ],
    );
    for (const chart of charts)
      assert.equal(new Set(chart.series.map((series) => series.styleIndex % 10)).size, chart.series.length, `${chart.id}: distinct colours`);
    const styleOf = (id: string, label: string) => charts.find((chart) => chart.id === id)!.series.find((series) => series.label === label)!.styleIndex;
    assert.equal(styleOf('loss-chart-student-at-mnist-photo', 'targetKd'), styleOf('loss-chart-student-at-uci-digits', 'targetKd'), 'a term keeps its style');
    // The student's mean over the three targets: 0.06 + 0.001 (epoch + 3 + 1).
    charts[0].series[3].values.forEach((value, i) => assert.ok(Math.abs(value! - (0.064 + 0.001 * (i + 1))) < 1e-12, `epoch ${i + 1}: ${value}`));
    assert.deepEqual(charts.at(-1)!.series[0].values, [0.1, 0.2, 0.1 * 3]);
  });
});
