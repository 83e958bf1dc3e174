/**
 * What the Domain gap tab's figures are drawn with, computed without the DOM so that plain Node
 * tests check it: the colour palettes of the dark and light themes (shared/categoricalColours.ts), marker shapes, linear scales
 * and their ticks, the point groups of a scatter plot and their SVG path data, and the sequential
 * scale of the CKA heatmap.
 */
import type { Embedding2d, RepresentationSample } from '../../src/checkpointDiff/reportFormat';
import type { ScatterColouring } from '../../src/protocol/checkpointDiffMessages';
import { type ThemeKind } from '../shared/categoricalColours';
import { contrastRatio, oklabToHex, type Oklab } from '../shared/colour';

// The palette and the colour arithmetic are shared with the Results panel's curves; this module's readers import them from here too.
export { CATEGORICAL_COLOURS, categoricalColour, themeKindOf, type ThemeKind } from '../shared/categoricalColours';
export { contrastRatio, hexToOklab, linearRgb, oklabDistance, oklabToHex, type Oklab } from '../shared/colour';

/**
 * Marker shapes, so that colour is not the only cue: the source hold-out is always a square, the
 * targets take the others in turn.
 */
export type Marker = 'square' | 'circle' | 'triangle' | 'diamond' | 'triangle-down';
export const TARGET_MARKERS: readonly Marker[] = ['circle', 'triangle', 'diamond', 'triangle-down'];

/** One group of points drawn as one SVG path: a domain, or a class within the source hold-out or the targets. */
export interface PointGroup {
  /** What the group is, as `domain` or `class` (the data attributes tests read). */
  domain?: string;
  className?: string;
  /** `source-holdout` or `target`: which marker the points take in the class colouring. */
  kind?: 'target' | 'source-holdout';
  label: string;
  colour: number;
  marker: Marker;
  /** Indices into the sample's images. */
  points: number[];
}

/**
 * The groups a scatter plot draws, in drawing order. By domain: one per domain of the sample,
 * the source hold-out first so that the targets are drawn over it. By class: one per class and
 * per source hold-out or target (their markers differ), the source hold-out's first.
 * Groups without points are left out.
 */
export function pointGroups(sample: RepresentationSample, colourBy: ScatterColouring, classNames: readonly string[]): PointGroup[] {
  if (colourBy === 'domain') {
    let targetIndex = 0;
    const groups = sample.domains.map((domain, d): PointGroup => {
      const marker = domain.kind === 'source-holdout' ? 'square' : TARGET_MARKERS[targetIndex++ % TARGET_MARKERS.length];
      return { domain: domain.name, kind: domain.kind, label: domain.name, colour: d, marker, points: [] };
    });
    sample.domain.forEach((d, i) => groups[d].points.push(i));
    const order = (group: PointGroup) => (group.kind === 'source-holdout' ? 0 : 1);
    return groups.filter((group) => group.points.length).sort((x, y) => order(x) - order(y));
  }
  const groups: PointGroup[] = [];
  for (const kind of ['source-holdout', 'target'] as const) {
    const byClass = classNames.map((name, k): PointGroup => ({
      className: name,
      kind,
      label: name,
      colour: k,
      marker: kind === 'source-holdout' ? 'square' : 'circle',
      points: [],
    }));
    sample.label.forEach((label, i) => {
      if (sample.domains[sample.domain[i]].kind === kind) byClass[label].points.push(i);
    });
    groups.push(...byClass.filter((group) => group.points.length));
  }
  return groups;
}

/** A coordinate in the SVG, to one decimal: enough for a pixel, and short. */
const coordinate = (value: number): string => String(Math.round(value * 10) / 10);

/**
 * SVG path data for points at (x, y), one subpath each. Circles and squares are zero-length
 * segments whose round or square caps draw the point (stroke width 2r); the other markers are
 * closed polygons of radius about r, filled.
 */
export function markerPath(marker: Marker, xs: readonly number[], ys: readonly number[], r: number): string {
  const parts: string[] = [];
  const rr = coordinate(r);
  const r2 = coordinate(2 * r);
  const tri = coordinate(1.7 * r);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const y = ys[i];
    switch (marker) {
      case 'circle':
      case 'square':
        parts.push(`M${coordinate(x)} ${coordinate(y)}h0`);
        break;
      case 'triangle':
        parts.push(`M${coordinate(x)} ${coordinate(y - r)}l${rr} ${tri}h-${r2}z`);
        break;
      case 'triangle-down':
        parts.push(`M${coordinate(x)} ${coordinate(y + r)}l${rr} -${tri}h-${r2}z`);
        break;
      case 'diamond':
        parts.push(`M${coordinate(x)} ${coordinate(y - r)}l${rr} ${rr}l-${rr} ${rr}l-${rr} -${rr}z`);
        break;
    }
  }
  return parts.join('');
}

/** Whether a marker is drawn by its stroke's caps (round or square) or filled. */
export function markerPaint(marker: Marker): { paint: 'stroke'; linecap: 'round' | 'square' } | { paint: 'fill' } {
  if (marker === 'circle') return { paint: 'stroke', linecap: 'round' };
  if (marker === 'square') return { paint: 'stroke', linecap: 'square' };
  return { paint: 'fill' };
}

/** A scatter plot's size and margins in px (its viewBox; CSS scales it down in a narrow panel). */
export const SCATTER_BOX = { width: 460, height: 360, left: 50, right: 12, top: 12, bottom: 46 } as const;

/** The point radius in px: smaller as the plot gets crowded. */
export function pointRadius(points: number): number {
  return points <= 500 ? 3 : points <= 3000 ? 2.4 : 1.8;
}

/** [min, max] of finite `values`, widened by `pad` of the span on each side; [-1, 1] around a single value. */
export function paddedExtent(values: readonly number[], pad = 0.04): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (min > max) return [-1, 1];
  if (min === max) return [min - 1, max + 1];
  const span = max - min;
  return [min - pad * span, max + pad * span];
}

/** The linear map from `domain` onto `range` (either may run backwards, as an SVG y axis does). */
export function linearScale([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): (value: number) => number {
  const slope = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * slope;
}

/** Round-number ticks (1, 2 or 5 × 10^k apart) inside [min, max], about `count` of them, and their spacing. */
export function niceTicks(min: number, max: number, count = 5): { ticks: number[]; step: number } {
  if (!(max > min) || !Number.isFinite(min) || !Number.isFinite(max)) return { ticks: Number.isFinite(min) ? [min] : [], step: 1 };
  const rough = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough) ?? 10 * power;
  const ticks: number[] = [];
  // Integer multiples of the step, so that 0.1 + 0.2 never prints as 0.30000000000000004.
  for (let k = Math.ceil(min / step); k * step <= max + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
  return { ticks, step };
}

/** A tick's label with as many decimals as its spacing needs. */
export function tickLabel(value: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const text = value.toFixed(Math.min(decimals, 10));
  return text.replace(/^-(0(\.0+)?)$/, '$1').replace('-', '−');
}

/** An embedding's axis titles: PCA's with the share of variance along each axis, when the report gives it. */
export function axisTitles(embedding: Pick<Embedding2d, 'method' | 'explainedVariance'>): [string, string] {
  if (embedding.method === 'umap') return ['UMAP 1', 'UMAP 2'];
  const share = (i: 0 | 1) => (embedding.explainedVariance ? ` (${(100 * embedding.explainedVariance[i]).toFixed(1)}% of variance)` : '');
  return [`PC1${share(0)}`, `PC2${share(1)}`];
}

/**
 * Per domain of the sample, how far its centroid lies from the source hold-out's, in units of the
 * source hold-out's spread (root mean square distance of its points from their centroid), so that
 * the two checkpoints' embeddings, whose scales differ, read alike. undefined for every domain when
 * the sample has no source hold-out or its points all coincide.
 */
export function centroidGaps(sample: RepresentationSample, embedding: Pick<Embedding2d, 'x' | 'y'>): (number | undefined)[] {
  const sums = sample.domains.map(() => ({ x: 0, y: 0, n: 0 }));
  sample.domain.forEach((d, i) => {
    sums[d].x += embedding.x[i];
    sums[d].y += embedding.y[i];
    sums[d].n += 1;
  });
  const centroids = sums.map(({ x, y, n }) => (n ? { x: x / n, y: y / n } : undefined));
  const source = sample.domains.findIndex((domain) => domain.kind === 'source-holdout');
  const origin = centroids[source];
  if (source < 0 || !origin) return sample.domains.map(() => undefined);
  let squares = 0;
  sample.domain.forEach((d, i) => {
    if (d === source) squares += (embedding.x[i] - origin.x) ** 2 + (embedding.y[i] - origin.y) ** 2;
  });
  const spread = Math.sqrt(squares / sums[source].n);
  if (!(spread > 0)) return sample.domains.map(() => undefined);
  return centroids.map((centroid) => (centroid ? Math.hypot(centroid.x - origin.x, centroid.y - origin.y) / spread : undefined));
}

/**
 * The CKA heatmap's sequential scale, as OKLab stops at 0, 0.5 and 1: from near the background to
 * strong, lightness changing monotonically (dark theme: dark blue to pale yellow; light theme:
 * pale yellow to dark blue), so that order reads without colour vision.
 */
const SEQUENTIAL_STOPS: Readonly<Record<ThemeKind, readonly Oklab[]>> = {
  dark: [
    [0.3, -0.0087, -0.0492],
    [0.62, -0.0925, -0.0268],
    [0.93, -0.026, 0.1477],
  ],
  light: [
    [0.97, -0.0035, 0.0197],
    [0.7, -0.0925, -0.0268],
    [0.38, -0.0311, -0.1159],
  ],
};

/** The heatmap colour of `value` in [0, 1] (clamped), interpolated in OKLab. */
export function sequentialColour(theme: ThemeKind, value: number): string {
  const t = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));
  const stops = SEQUENTIAL_STOPS[theme];
  const scaled = t * (stops.length - 1);
  const at = Math.min(stops.length - 2, Math.floor(scaled));
  const f = scaled - at;
  const [p, q] = [stops[at], stops[at + 1]];
  return oklabToHex([p[0] + f * (q[0] - p[0]), p[1] + f * (q[1] - p[1]), p[2] + f * (q[2] - p[2])]);
}

/** Whether text on `background` reads better dark or light. */
export function textOn(background: string): 'dark' | 'light' {
  return contrastRatio(background, '#000000') >= contrastRatio(background, '#ffffff') ? 'dark' : 'light';
}

/** The side of a heatmap cell in px: large for a few layers, never below 12 px. */
export function heatmapCellSize(rows: number, columns: number): number {
  return Math.max(12, Math.min(40, Math.floor(440 / Math.max(1, rows, columns))));
}
