import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCheckpointDiffReport, type CheckpointDiffReport } from '../../src/checkpointDiff/reportFormat';
import { RunFileError } from '../../src/runFolder/jsonShape';
import { parseCheckpointDiffPanelMessage, parseCheckpointDiffPanelPersistedState } from '../../src/protocol/checkpointDiffMessages';
import {
  axisTitles,
  CATEGORICAL_COLOURS,
  centroidGaps,
  contrastRatio,
  hexToOklab,
  linearScale,
  markerPath,
  niceTicks,
  oklabDistance,
  paddedExtent,
  pointGroups,
  sequentialColour,
  textOn,
  themeKindOf,
  tickLabel,
  TARGET_MARKERS,
  type ThemeKind,
} from '../../webview-ui/checkpointDiff/figureScales';
import { figuresDiffReport, reportSide, sampleDiffReport, SMALL_FIGURES } from '../fixtures/checkpointDiffReport';

const FILE = '/r/diffs/a--b.json';
const report = (): CheckpointDiffReport =>
  JSON.parse(JSON.stringify(figuresDiffReport(reportSide('student', '/s'), reportSide('teacher', '/t')))) as CheckpointDiffReport;

/** The reader's complaint about `value`, failing the test when it accepts it. */
function refusal(value: unknown): string {
  const parsed = parseCheckpointDiffReport(value, FILE);
  assert.ok(parsed instanceof RunFileError, 'the report is refused');
  return parsed.message;
}

describe('a diff report’s representation figures', () => {
  it('reads a report with them, and a version-1 report without them', () => {
    const parsed = parseCheckpointDiffReport(report(), FILE);
    assert.ok(!(parsed instanceof RunFileError), parsed instanceof RunFileError ? parsed.message : '');
    const figures = parsed.representations!;
    assert.equal(figures.sample.domain.length, 36);
    assert.deepEqual(
      figures.sample.domains.map((domain) => domain.drawn),
      [12, 10, 14],
    );
    assert.equal(figures.similarity.cka.length, 3);
    assert.equal(figures.similarity.cka[0].length, 4);
    const old = { ...sampleDiffReport(reportSide('student', '/s'), reportSide('teacher', '/t')), version: 1 };
    const read = parseCheckpointDiffReport(old, FILE);
    assert.ok(!(read instanceof RunFileError));
    assert.equal(read.representations, undefined);
  });

  it('refuses an embedding with a point too few, naming the side and field', () => {
    const broken = report();
    broken.representations!.b.embeddings[1].x.pop();
    assert.match(refusal(broken), /representations\.b\.embeddings must be a list of \{method, x, y\} with 36 points each/);
  });

  it('refuses an image whose domain index is out of range, and one whose class is', () => {
    const domain = report();
    domain.representations!.sample.domain[5] = 3;
    assert.match(refusal(domain), /representations\.sample\.domain must be a domain index per image/);
    const label = report();
    label.representations!.sample.label[0] = 2;
    assert.match(refusal(label), /representations\.sample\.label must be a class index per image \(36\)/);
  });

  it('refuses a ragged CKA matrix, and one with a row too many', () => {
    const ragged = report();
    ragged.representations!.similarity.cka[1].pop();
    assert.match(refusal(ragged), /representations\.similarity must be layersA, layersB and a layersA × layersB matrix cka/);
    const tall = report();
    tall.representations!.similarity.cka.push([0, 0, 0, 0]);
    assert.match(refusal(tall), /representations\.similarity must be/);
  });

  it('refuses an unknown embedding method and a non-numeric A-distance', () => {
    const method = report() as unknown as { representations: { a: { embeddings: { method: string }[]; aDistance: { aDistance: unknown }[] } } };
    method.representations.a.embeddings[0].method = 'tsne';
    assert.match(refusal(method), /representations\.a\.embeddings must be/);
    const distance = report() as unknown as { representations: { a: { aDistance: { aDistance: unknown }[] } } };
    distance.representations.a.aDistance[0].aDistance = 'near';
    assert.match(refusal(distance), /representations\.a\.aDistance must be a list of/);
  });
});

describe('the Domain gap tab’s palettes', () => {
  const backgrounds: Record<ThemeKind, string[]> = {
    // Dark Modern, Dark+, high contrast; Light Modern / Light+, a grey light editor.
    dark: ['#1f1f1f', '#1e1e1e', '#000000'],
    light: ['#ffffff', '#f3f3f3'],
  };

  for (const theme of ['dark', 'light'] as const) {
    it(`keeps every ${theme}-theme colour at 3:1 or more against the editor background, and every pair apart`, () => {
      const colours = CATEGORICAL_COLOURS[theme];
      assert.equal(colours.length, 10, 'ten classes (Digits) get ten colours');
      for (const colour of colours)
        for (const background of backgrounds[theme]) {
          const ratio = contrastRatio(colour, background);
          assert.ok(ratio >= 3, `${colour} on ${background}: ${ratio.toFixed(2)}:1`);
        }
      for (let i = 0; i < colours.length; i++)
        for (let j = i + 1; j < colours.length; j++) {
          const distance = oklabDistance(colours[i], colours[j]);
          assert.ok(distance >= 0.12, `${colours[i]} and ${colours[j]} are ${distance.toFixed(3)} apart in OKLab`);
        }
    });

    it(`draws the ${theme}-theme CKA scale from 0 to 1 with lightness moving one way, and legible text on every cell`, () => {
      const steps = Array.from({ length: 21 }, (_, i) => sequentialColour(theme, i / 20));
      const lightness = steps.map((colour) => hexToOklab(colour)[0]);
      for (let i = 1; i < lightness.length; i++) {
        const change = lightness[i] - lightness[i - 1];
        assert.ok(theme === 'dark' ? change > 0 : change < 0, `lightness at ${i / 20}: ${lightness[i - 1].toFixed(3)} → ${lightness[i].toFixed(3)}`);
      }
      assert.ok(oklabDistance(steps[0], steps[20]) >= 0.5, 'the ends are far apart');
      for (let i = 1; i <= 10; i++) assert.ok(oklabDistance(sequentialColour(theme, (i - 1) / 10), sequentialColour(theme, i / 10)) >= 0.04, `tenth ${i}`);
      for (const colour of steps) assert.ok(contrastRatio(colour, textOn(colour) === 'dark' ? '#000000' : '#ffffff') >= 4.5, colour);
      assert.equal(sequentialColour(theme, -1), steps[0]);
      assert.equal(sequentialColour(theme, 2), steps[20]);
      assert.equal(sequentialColour(theme, Number.NaN), steps[0]);
    });
  }

  it('takes the light palette for the light and high-contrast light themes only', () => {
    assert.equal(themeKindOf('vscode-light'), 'light');
    assert.equal(themeKindOf('vscode-high-contrast-light vscode-high-contrast'), 'light');
    assert.equal(themeKindOf('vscode-dark'), 'dark');
    assert.equal(themeKindOf('vscode-high-contrast'), 'dark');
    assert.equal(themeKindOf(''), 'dark');
  });
});

describe('the scatter plots’ point groups', () => {
  const figures = report().representations!;

  it('by domain: one group per domain with every point it drew, the source hold-out first and square, each target its own marker', () => {
    const groups = pointGroups(figures.sample, 'domain', ['cat', 'dog']);
    assert.deepEqual(
      groups.map((group) => [group.domain, group.points.length, group.marker, group.colour]),
      [
        ['source-holdout', 14, 'square', 2],
        ['sketches', 12, TARGET_MARKERS[0], 0],
        ['paintings', 10, TARGET_MARKERS[1], 1],
      ],
    );
    assert.deepEqual(
      groups.flatMap((group) => group.points).sort((x, y) => x - y),
      [...figures.sample.domain.keys()],
      'every image once',
    );
  });

  it('by class: a group per class within the source hold-out (squares) and within the targets (circles)', () => {
    const groups = pointGroups(figures.sample, 'class', ['cat', 'dog']);
    const count = (kind: string, name: string) => groups.find((group) => group.kind === kind && group.className === name)?.points.length ?? 0;
    for (const [k, name] of ['cat', 'dog'].entries()) {
      const inSource = figures.sample.label.filter((label, i) => label === k && figures.sample.domain[i] === 2).length;
      const all = figures.sample.label.filter((label) => label === k).length;
      assert.equal(count('source-holdout', name), inSource, name);
      assert.equal(count('target', name), all - inSource, name);
    }
    assert.ok(groups.every((group) => group.marker === (group.kind === 'source-holdout' ? 'square' : 'circle')));
    assert.equal(groups[0].kind, 'source-holdout');
  });

  it('writes one subpath per point, rounded to a tenth of a pixel', () => {
    assert.equal(markerPath('circle', [1.04, 20], [2.96, 7.25], 3), 'M1 3h0M20 7.3h0');
    assert.equal(markerPath('triangle', [10], [10], 2), 'M10 8l2 3.4h-4z');
    assert.equal(markerPath('diamond', [10], [10], 2), 'M10 8l2 2l-2 2l-2 -2z');
    const many = markerPath('triangle-down', [...Array(500).keys()], [...Array(500).keys()], 1.8);
    assert.equal(many.split('M').length - 1, 500);
  });
});

describe('the scatter plots’ scales and ticks', () => {
  it('maps the padded extent onto the plot, backwards for y', () => {
    const [low, high] = paddedExtent([0, 10, 5]);
    assert.deepEqual([low, high], [-0.4, 10.4]);
    const y = linearScale([low, high], [300, 10]);
    assert.equal(y(low), 300);
    assert.equal(y(high), 10);
    assert.deepEqual(paddedExtent([4, 4]), [3, 5]);
    assert.deepEqual(paddedExtent([]), [-1, 1]);
    assert.deepEqual(paddedExtent([Number.NaN, 2, Infinity, 1]), [0.96, 2.04]);
  });

  it('puts round ticks inside the range and labels them without float noise', () => {
    assert.deepEqual(niceTicks(0, 1, 5), { ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], step: 0.2 });
    const { ticks, step } = niceTicks(-3.7, 12.2, 5);
    assert.deepEqual(ticks, [0, 5, 10]);
    assert.equal(step, 5);
    assert.deepEqual(niceTicks(0.1, 0.37, 6).ticks, [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
    assert.deepEqual(
      niceTicks(0.1, 0.37, 6).ticks.map((tick) => tickLabel(tick, 0.05)),
      ['0.10', '0.15', '0.20', '0.25', '0.30', '0.35'],
    );
    assert.equal(tickLabel(-2, 1), '−2');
    assert.equal(tickLabel(-0, 0.5), '0.0');
    assert.equal(tickLabel(20000, 5000), '20000');
    assert.deepEqual(niceTicks(2, 2).ticks, [2]);
  });

  it('titles PCA axes with their share of variance, UMAP axes without units', () => {
    assert.deepEqual(axisTitles({ method: 'pca', explainedVariance: [0.4213, 0.17] }), ['PC1 (42.1% of variance)', 'PC2 (17.0% of variance)']);
    assert.deepEqual(axisTitles({ method: 'pca' }), ['PC1', 'PC2']);
    assert.deepEqual(axisTitles({ method: 'umap' }), ['UMAP 1', 'UMAP 2']);
  });

  it('measures each domain’s centroid from the source hold-out’s in units of its spread', () => {
    const sample = {
      seed: 0,
      domains: [
        { name: 't', kind: 'target' as const, drawn: 2, of: 2 },
        { name: 's', kind: 'source-holdout' as const, drawn: 2, of: 2 },
      ],
      domain: [0, 0, 1, 1],
      label: [0, 0, 0, 0],
    };
    // Source points at (−1, 0) and (1, 0): centroid 0, spread 1; the target's centroid at (3, 4).
    assert.deepEqual(centroidGaps(sample, { x: [2, 4, -1, 1], y: [4, 4, 0, 0] }), [5, 0]);
    assert.deepEqual(
      centroidGaps({ ...sample, domains: [sample.domains[0], { ...sample.domains[1], kind: 'target' }] }, { x: [2, 4, -1, 1], y: [4, 4, 0, 0] }),
      [undefined, undefined],
    );
  });
});

describe('the Domain gap tab’s messages and saved choices', () => {
  it('accepts a bare recompute request and nothing carrying a path', () => {
    assert.deepEqual(parseCheckpointDiffPanelMessage({ type: 'recompute' }), { type: 'recompute' });
    assert.equal(parseCheckpointDiffPanelMessage({ type: 'recompute', a: '/etc' }), undefined);
    assert.equal(parseCheckpointDiffPanelMessage({ type: 'recompute', reportFile: '/r/diffs/a.json' }), undefined);
  });

  it('keeps the tab, the colouring and the method, and drops values it does not know', () => {
    assert.deepEqual(parseCheckpointDiffPanelPersistedState({ reportFile: FILE, tab: 'features', colourBy: 'class', embedding: 'umap' }), {
      reportFile: FILE,
      tab: 'features',
      colourBy: 'class',
      embedding: 'umap',
    });
    assert.deepEqual(parseCheckpointDiffPanelPersistedState({ reportFile: FILE, tab: 'features', colourBy: 'colour', embedding: 'tsne' }), {
      reportFile: FILE,
      tab: 'features',
    });
  });

  it('has a fixture whose sample matches its domains', () => {
    assert.deepEqual(
      report().domains.map((domain) => domain.name),
      SMALL_FIGURES.domains.map((domain) => domain.name),
    );
  });
});
