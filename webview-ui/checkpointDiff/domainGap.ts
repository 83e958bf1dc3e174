/**
 * The Checkpoint Diff panel's Domain gap tab: each checkpoint's adaptation features on the same
 * sampled images, as two 2-D scatter plots (one SVG path per colour group, so thousands of points
 * draw at once), the proxy A-distance of each target from the source hold-out, and the layer-by-
 * layer linear CKA of A against B as a heatmap, each also as a table for the keyboard and screen
 * readers. Colours come from figureScales.ts, chosen for the theme kind the body names; nothing
 * here sets a style attribute (the CSP refuses them): sizes and colours are SVG attributes.
 */
import type { CheckpointDiffReport, Embedding2d, ProxyADistance, RepresentationFigures, SideRepresentation } from '../../src/checkpointDiff/reportFormat';
import {
  EMBEDDING_METHODS,
  type CheckpointDiffPanelPersistedState,
  type EmbeddingMethod,
  type ScatterColouring,
} from '../../src/protocol/checkpointDiffMessages';
import { el, radioGroup, scrollRegion, svg } from '../shared/dom';
import { button } from '../shared/toolkit';
import {
  axisTitles,
  categoricalColour,
  centroidGaps,
  heatmapCellSize,
  linearScale,
  markerPaint,
  markerPath,
  niceTicks,
  paddedExtent,
  pointGroups,
  pointRadius,
  SCATTER_BOX,
  sequentialColour,
  textOn,
  tickLabel,
  type Marker,
  type PointGroup,
  type ThemeKind,
} from './figureScales';

export interface DomainGapOptions {
  theme: ThemeKind;
  state: CheckpointDiffPanelPersistedState | undefined;
  save: (change: Partial<CheckpointDiffPanelPersistedState>) => void;
  /** Asks the host to compute the report again (a report without the figures). */
  recompute: () => void;
}

const sourceLabel = (name: string, kind: string): string => (kind === 'source-holdout' ? 'source hold-out' : name);
const count = (value: number): string => value.toLocaleString('en-US');

/** What a report without figures shows: why, and how to get them. */
function withoutFigures(report: CheckpointDiffReport, recompute: () => void): HTMLElement {
  const status = el('p', { id: 'recompute-status', role: 'status' });
  const again = button(
    'Compute Again',
    () => {
      if (again.hasAttribute('disabled')) return;
      again.setAttribute('disabled', '');
      status.textContent = 'Asked KD-UDA: Compare Checkpoints to evaluate both checkpoints again; this panel shows the new report when it is written.';
      recompute();
    },
    { appearance: 'primary', title: 'Run KD-UDA: Compare Checkpoints again for this report’s two checkpoints' },
  );
  again.id = 'recompute';
  return el(
    'div',
    { class: 'stack', id: 'no-figures' },
    el(
      'p',
      {},
      `This report was computed before KD-UDA Lab drew the domain-gap figures (report format version ${report.version}): it has no feature embeddings, proxy A-distance or layer similarity. Computing it again evaluates both checkpoints once more and adds them.`,
    ),
    again,
    status,
    el(
      'p',
      { class: 'legend' },
      'Or run KD-UDA: Compare Checkpoints… on the same two checkpoints: in a trusted workspace a report without these figures is computed again, not reused.',
    ),
  );
}

/** The methods both sides have, else those either has, in the protocol's order. */
function methodsOf(figures: RepresentationFigures): EmbeddingMethod[] {
  const has = (side: SideRepresentation, method: EmbeddingMethod) => side.embeddings.some((embedding) => embedding.method === method);
  const both = EMBEDDING_METHODS.filter((method) => has(figures.a, method) && has(figures.b, method));
  return both.length ? both : EMBEDDING_METHODS.filter((method) => has(figures.a, method) || has(figures.b, method));
}

const METHOD_LABELS: Record<EmbeddingMethod, string> = { pca: 'PCA', umap: 'UMAP' };

/** A group's colour attributes for its marker: stroked caps or a fill. */
function paint(marker: Marker, colour: string, radius: number): Record<string, string | number> {
  const how = markerPaint(marker);
  return how.paint === 'stroke'
    ? { fill: 'none', stroke: colour, 'stroke-width': 2 * radius, 'stroke-linecap': how.linecap }
    : { fill: colour, stroke: 'none' };
}

/** One side's scatter plot of `embedding`, its points in `groups`. */
function scatter(
  sideKey: 'a' | 'b',
  title: string,
  side: SideRepresentation,
  embedding: Embedding2d | undefined,
  groups: readonly PointGroup[],
  theme: ThemeKind,
): HTMLElement {
  const caption = el(
    'figcaption',
    {},
    el('span', { class: 'side-tag' }, sideKey.toUpperCase()),
    ` ${title} · `,
    el('code', {}, side.layer),
    ` (${count(side.features)} features)`,
  );
  if (!embedding)
    return el('figure', { class: 'scatter', id: `scatter-${sideKey}` }, caption, el('p', { class: 'legend' }, 'No such embedding for this side.'));
  const { width, height, left, right, top, bottom } = SCATTER_BOX;
  const xDomain = paddedExtent(embedding.x);
  const yDomain = paddedExtent(embedding.y);
  const x = linearScale(xDomain, [left, width - right]);
  const y = linearScale(yDomain, [height - bottom, top]);
  const [xTitle, yTitle] = axisTitles(embedding);
  const axes = svg('g', { class: 'axes' });
  axes.append(svg('rect', { class: 'frame', x: left, y: top, width: width - left - right, height: height - top - bottom, fill: 'none' }));
  const xTicks = niceTicks(xDomain[0], xDomain[1], 5);
  for (const tick of xTicks.ticks) {
    const at = x(tick).toFixed(1);
    axes.append(
      svg('line', { class: 'grid', x1: at, x2: at, y1: top, y2: height - bottom }),
      svg('text', { class: 'tick', x: at, y: height - bottom + 14, 'text-anchor': 'middle' }, tickLabel(tick, xTicks.step)),
    );
  }
  const yTicks = niceTicks(yDomain[0], yDomain[1], 5);
  for (const tick of yTicks.ticks) {
    const at = y(tick).toFixed(1);
    axes.append(
      svg('line', { class: 'grid', x1: left, x2: width - right, y1: at, y2: at }),
      svg('text', { class: 'tick', x: left - 5, y: at, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, tickLabel(tick, yTicks.step)),
    );
  }
  axes.append(
    svg('text', { class: 'axis-title', x: (left + width - right) / 2, y: height - 8, 'text-anchor': 'middle' }, xTitle),
    svg(
      'text',
      { class: 'axis-title', x: 12, y: (top + height - bottom) / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${(top + height - bottom) / 2})` },
      yTitle,
    ),
  );
  const radius = pointRadius(embedding.x.length);
  const points = svg('g', { class: 'points' });
  for (const group of groups) {
    const xs = group.points.map((i) => x(embedding.x[i]));
    const ys = group.points.map((i) => y(embedding.y[i]));
    const attributes: Record<string, string | number> = {
      class: 'point-group',
      d: markerPath(group.marker, xs, ys, radius),
      'data-side': sideKey,
      'data-count': group.points.length,
      'data-marker': group.marker,
      ...paint(group.marker, categoricalColour(theme, group.colour), radius),
    };
    if (group.domain !== undefined) attributes['data-domain'] = group.domain;
    if (group.className !== undefined) attributes['data-class'] = group.className;
    if (group.kind !== undefined) attributes['data-kind'] = group.kind;
    const where = group.className !== undefined ? ` in the ${group.kind === 'source-holdout' ? 'source hold-out' : 'targets'}` : '';
    points.append(svg('path', attributes, svg('title', {}, `${group.label}${where}: ${count(group.points.length)} images`)));
  }
  const plot = svg(
    'svg',
    {
      class: 'scatter-plot',
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: 'img',
      'aria-label': `${METHOD_LABELS[embedding.method]} embedding of ${sideKey.toUpperCase()}'s features at ${side.layer}: ${count(embedding.x.length)} images; the tables below give the numbers.`,
      'data-method': embedding.method,
    },
    axes,
    points,
  );
  return el('figure', { class: 'scatter', id: `scatter-${sideKey}` }, caption, plot);
}

/** A marker of `colour` in a 14 px square, for the legend. */
function swatch(marker: Marker, colour: string): SVGSVGElement {
  return svg(
    'svg',
    { class: 'swatch', viewBox: '0 0 14 14', width: 14, height: 14, 'aria-hidden': 'true' },
    svg('path', { d: markerPath(marker, [7], [7], 4), ...paint(marker, colour, 4) }),
  );
}

function scatterLegend(figures: RepresentationFigures, groups: readonly PointGroup[], colourBy: ScatterColouring, theme: ThemeKind): HTMLElement {
  const items: HTMLElement[] = [];
  if (colourBy === 'domain') {
    for (const group of groups) {
      const domain = figures.sample.domains.find((entry) => entry.name === group.domain)!;
      items.push(
        el(
          'li',
          { 'data-domain': domain.name },
          swatch(group.marker, categoricalColour(theme, group.colour)),
          ` ${sourceLabel(domain.name, domain.kind)}${domain.kind === 'target' ? ' (target)' : ''}: ${count(domain.drawn)} of ${count(domain.of)} images`,
        ),
      );
    }
  } else {
    const inKind = (kind: string) => groups.filter((group) => group.kind === kind).reduce((sum, group) => sum + group.points.length, 0);
    // The marker keys are outlines in the text colour, so that they read as shapes, not as one more class.
    const outline = (marker: 'square' | 'circle') =>
      svg(
        'svg',
        { class: 'swatch marker-key', viewBox: '0 0 14 14', width: 14, height: 14, 'aria-hidden': 'true' },
        marker === 'square' ? svg('rect', { x: 3, y: 3, width: 8, height: 8, fill: 'none' }) : svg('circle', { cx: 7, cy: 7, r: 4, fill: 'none' }),
      );
    for (const [kind, marker, label] of [
      ['source-holdout', 'square', 'source hold-out'],
      ['target', 'circle', 'targets'],
    ] as const) {
      if (inKind(kind)) items.push(el('li', { class: 'marker-key' }, outline(marker), ` ${label}: ${count(inKind(kind))} images`));
    }
    const classes = [...new Map(groups.map((group) => [group.className!, group.colour])).entries()].sort((p, q) => p[1] - q[1]);
    for (const [name, colour] of classes) {
      const images = groups.filter((group) => group.className === name).reduce((sum, group) => sum + group.points.length, 0);
      items.push(el('li', { 'data-class': name }, swatch('circle', categoricalColour(theme, colour)), ` ${name}: ${count(images)}`));
    }
  }
  return el('ul', { class: 'figure-legend', id: 'scatter-legend', 'aria-label': colourBy === 'domain' ? 'Domains' : 'Classes and markers' }, ...items);
}

/** Per domain: images drawn, of how many, and each side's centroid gap in the chosen embedding. */
function domainSummary(figures: RepresentationFigures, method: EmbeddingMethod): HTMLElement {
  const gapsOf = (side: SideRepresentation) => {
    const embedding = side.embeddings.find((entry) => entry.method === method);
    return embedding ? centroidGaps(figures.sample, embedding) : figures.sample.domains.map(() => undefined);
  };
  const [gapsA, gapsB] = [gapsOf(figures.a), gapsOf(figures.b)];
  const gap = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(2));
  const rows = figures.sample.domains.map((domain, d) =>
    el(
      'tr',
      { class: domain.kind },
      el('th', { scope: 'row' }, sourceLabel(domain.name, domain.kind)),
      el('td', { class: 'num', 'data-drawn': domain.name }, count(domain.drawn)),
      el('td', { class: 'num', 'data-of': domain.name }, count(domain.of)),
      el('td', { class: 'num', 'data-gap-a': domain.name }, gap(gapsA[d])),
      el('td', { class: 'num', 'data-gap-b': domain.name }, gap(gapsB[d])),
    ),
  );
  return el(
    'div',
    { class: 'stack' },
    scrollRegion(
      'Domains in the embedding',
      el(
        'table',
        { id: 'domain-summary' },
        el('caption', {}, `Domains in the ${METHOD_LABELS[method]} embedding`),
        el(
          'thead',
          {},
          el('tr', {}, ...['Domain', 'Images drawn', 'Of', 'A: centroid gap', 'B: centroid gap'].map((title) => el('th', { scope: 'col' }, title))),
        ),
        el('tbody', {}, ...rows),
      ),
    ),
    el(
      'p',
      { class: 'legend' },
      `The images are a seeded draw (seed ${figures.sample.seed}) from each domain. Centroid gap: how far the domain's centroid lies from the source hold-out's, in units of the source hold-out's spread (root mean square distance from its centroid), so that the two plots' scales compare.`,
    ),
  );
}

function aDistanceTable(report: CheckpointDiffReport, figures: RepresentationFigures): HTMLElement {
  const targets = [...new Set([...figures.a.aDistance, ...figures.b.aDistance].map((row) => row.target))];
  const explanation = el(
    'p',
    { class: 'legend', id: 'a-distance-explained' },
    'Proxy A-distance, 2(1 − 2ε) with ε the held-out error of a linear classifier telling the source hold-out from the target on the adaptation features: 0 = the domains are indistinguishable, 2 = perfectly separable (Ben-David et al. 2010). Lower is better aligned.',
  );
  if (!targets.length)
    return el(
      'div',
      { class: 'stack' },
      explanation,
      el('p', { id: 'a-distance-none' }, 'No proxy A-distance: the run has no source hold-out to measure the targets against.'),
    );
  const find = (rows: readonly ProxyADistance[], target: string) => rows.find((row) => row.target === target);
  const two = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(2));
  const rows = targets.map((target) => {
    const [a, b] = [find(figures.a.aDistance, target), find(figures.b.aDistance, target)];
    const sizes = (row: ProxyADistance | undefined) => (row ? `${count(row.trainImages)} / ${count(row.testImages)}` : '–');
    const sameSizes = sizes(a) === sizes(b);
    return el(
      'tr',
      {},
      el('th', { scope: 'row' }, target),
      el('td', { class: 'num', 'data-a-distance': 'a', 'data-target': target }, two(a?.aDistance)),
      el('td', { class: 'num', 'data-a-distance': 'b', 'data-target': target }, two(b?.aDistance)),
      el(
        'td',
        { class: 'num' },
        a && b ? `${a.aDistance - b.aDistance > 0 ? '+' : a.aDistance - b.aDistance < 0 ? '−' : '±'}${Math.abs(a.aDistance - b.aDistance).toFixed(2)}` : '–',
      ),
      el('td', { class: 'num', 'data-error': 'a', 'data-target': target }, a ? `${(100 * a.error).toFixed(1)}%` : '–'),
      el('td', { class: 'num', 'data-error': 'b', 'data-target': target }, b ? `${(100 * b.error).toFixed(1)}%` : '–'),
      el('td', { class: 'num', 'data-sizes': target }, sameSizes ? sizes(a) : `A ${sizes(a)}; B ${sizes(b)}`),
    );
  });
  const columns = ['Target', 'A', 'B', 'Δ (A − B)', 'Classifier error A', 'Classifier error B', 'Images per domain: train / test'];
  return el(
    'div',
    { class: 'stack' },
    scrollRegion(
      'Proxy A-distance per target',
      el(
        'table',
        { id: 'a-distance-table' },
        el('caption', {}, `Proxy A-distance between the source hold-out (${report.data.source}) and each target, on each checkpoint's adaptation features.`),
        el('thead', {}, el('tr', {}, ...columns.map((title) => el('th', { scope: 'col' }, title)))),
        el('tbody', {}, ...rows),
      ),
    ),
    explanation,
  );
}

/** A layer name short enough for an axis label; the whole name goes in the cell titles and the table. */
const shortName = (name: string): string => (name.length > 18 ? `${name.slice(0, 17)}…` : name);

function ckaHeatmap(figures: RepresentationFigures, theme: ThemeKind): HTMLElement {
  const { layersA, layersB, cka, images } = figures.similarity;
  const cell = heatmapCellSize(layersA.length, layersB.length);
  const longest = (names: readonly string[]) => Math.max(1, ...names.map((name) => shortName(name).length));
  // Room for the longest row label, and at least for the corner's "A ↓ · B →".
  const left = Math.max(12 + 6.5 * longest(layersA), 72);
  const top = 12 + 6.5 * 0.72 * longest(layersB);
  // The column labels run up and to the right from their column, 45°.
  const width = Math.ceil(left + cell * layersB.length + Math.max(8, 6.5 * 0.72 * longest(layersB) - cell / 2));
  const height = Math.ceil(top + cell * layersA.length + 8);
  const map = svg('svg', {
    id: 'cka-heatmap',
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': `Linear CKA of ${layersA.length} layers of A (rows) against ${layersB.length} layers of B (columns); the table below gives each value.`,
  });
  layersA.forEach((name, i) =>
    map.append(
      svg(
        'text',
        { class: 'tick', x: left - 6, y: top + (i + 0.5) * cell, 'text-anchor': 'end', 'dominant-baseline': 'middle' },
        shortName(name),
        svg('title', {}, `A: ${name}`),
      ),
    ),
  );
  layersB.forEach((name, j) => {
    const at = left + (j + 0.5) * cell;
    map.append(svg('text', { class: 'tick', x: at, y: top - 6, transform: `rotate(-45 ${at} ${top - 6})` }, shortName(name), svg('title', {}, `B: ${name}`)));
  });
  // Which way each axis runs, in the corner the labels leave free.
  map.append(svg('text', { class: 'axis-title', x: left - 6, y: top - 6, 'text-anchor': 'end' }, 'A ↓ · B →'));
  const showValues = cell >= 30;
  cka.forEach((row, i) =>
    row.forEach((value, j) => {
      const fill = sequentialColour(theme, value);
      const [x, y] = [left + j * cell, top + i * cell];
      map.append(
        svg(
          'rect',
          {
            class: 'cka-cell',
            x,
            y,
            width: cell,
            height: cell,
            fill,
            'data-row': layersA[i],
            'data-column': layersB[j],
            'data-cka': value,
          },
          svg('title', {}, `A ${layersA[i]} × B ${layersB[j]}: CKA ${value.toFixed(3)}`),
        ),
      );
      if (showValues)
        map.append(
          svg(
            'text',
            {
              class: `cka-value on-${textOn(fill)}`,
              x: x + cell / 2,
              y: y + cell / 2,
              'text-anchor': 'middle',
              'dominant-baseline': 'central',
              'aria-hidden': 'true',
            },
            value.toFixed(2),
          ),
        );
    }),
  );
  // The scale: eleven steps from 0 to 1.
  const steps = 11;
  const step = 18;
  const scale = svg('svg', { id: 'cka-scale', viewBox: `0 0 ${steps * step + 40} 34`, width: steps * step + 40, height: 34, 'aria-hidden': 'true' });
  for (let k = 0; k < steps; k++) {
    scale.append(svg('rect', { x: 20 + k * step, y: 2, width: step, height: 14, fill: sequentialColour(theme, k / (steps - 1)) }));
  }
  for (const value of [0, 0.5, 1])
    scale.append(svg('text', { class: 'tick', x: 20 + step / 2 + value * (steps - 1) * step, y: 30, 'text-anchor': 'middle' }, value.toFixed(1)));
  const tableHead = el('tr', {}, el('th', { scope: 'col' }, 'A layer ↓ / B layer →'), ...layersB.map((name) => el('th', { scope: 'col' }, name)));
  const tableRows = cka.map((row, i) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row' }, layersA[i]),
      ...row.map((value, j) => el('td', { class: 'num', 'data-row': layersA[i], 'data-column': layersB[j] }, value.toFixed(3))),
    ),
  );
  const table = el(
    'details',
    { id: 'cka-details' },
    el('summary', {}, 'CKA values as a table'),
    scrollRegion(
      'CKA values',
      el(
        'table',
        { id: 'cka-table' },
        el('caption', {}, 'Linear CKA, A’s layers (rows) against B’s (columns)'),
        el('thead', {}, tableHead),
        el('tbody', {}, ...tableRows),
      ),
    ),
  );
  return el(
    'div',
    { class: 'stack' },
    el(
      'figure',
      { id: 'cka-figure' },
      el(
        'figcaption',
        {},
        'Linear CKA (Kornblith et al. 2019) of each layer of A (rows) against each layer of B (columns): 1 = the same representation up to rotation and scale, 0 = unrelated.',
      ),
      scrollRegion('CKA heatmap', map),
      el('div', { class: 'scale-row' }, el('span', { class: 'legend' }, 'CKA'), scale),
      el(
        'p',
        { class: 'legend', id: 'cka-sample' },
        `Computed on ${count(images)} images of the sample drawn for the scatter plots (at most 500, spread over the domains).`,
      ),
    ),
    table,
  );
}

/**
 * The tab's content. `theme` picks the palettes; `state` the saved colouring and method;
 * switching either redraws the plots, their legend and the summary only, so focus stays on the
 * radio button just chosen.
 */
export function domainGap(report: CheckpointDiffReport, options: DomainGapOptions): HTMLElement {
  const figures = report.representations;
  if (!figures) return withoutFigures(report, options.recompute);
  const methods = methodsOf(figures);
  let colourBy: ScatterColouring = options.state?.colourBy ?? 'domain';
  let method: EmbeddingMethod = methods.find((entry) => entry === options.state?.embedding) ?? methods[0] ?? 'pca';
  const section = el('div', { class: 'stack', id: 'scatter-section' });
  const draw = () => {
    const groups = pointGroups(figures.sample, colourBy, report.classNames);
    const pick = (side: SideRepresentation) => side.embeddings.find((embedding) => embedding.method === method);
    section.replaceChildren(
      el(
        'div',
        { class: 'side-by-side' },
        scatter('a', report.a.label, figures.a, pick(figures.a), groups, options.theme),
        scatter('b', report.b.label, figures.b, pick(figures.b), groups, options.theme),
      ),
      scatterLegend(figures, groups, colourBy, options.theme),
      el(
        'p',
        { class: 'legend' },
        `Each point is one sampled image, the same images in both plots; each plot is in its own checkpoint's units. ${
          method === 'pca' ? 'PCA axes are the directions of most variance.' : 'UMAP keeps neighbourhoods, not distances: read clusters, not axes.'
        }`,
      ),
      domainSummary(figures, method),
    );
  };
  draw();
  const colourPicker = radioGroup(
    'Colour points by',
    'colour-by',
    [
      { id: 'colour-by-domain', value: 'domain' as const, label: 'Colour by domain' },
      { id: 'colour-by-class', value: 'class' as const, label: 'Colour by class' },
    ],
    colourBy,
    (value) => {
      colourBy = value;
      options.save({ colourBy: value });
      draw();
    },
  );
  const methodPicker = radioGroup(
    'Embedding',
    'embedding',
    methods.map((entry) => ({ id: `embedding-${entry}`, value: entry, label: METHOD_LABELS[entry] })),
    method,
    (value) => {
      method = value;
      options.save({ embedding: value });
      draw();
    },
  );
  return el(
    'div',
    { class: 'stack', id: 'domain-gap' },
    el('div', { class: 'controls' }, colourPicker, methodPicker),
    section,
    el('h2', {}, 'How far apart the domains are'),
    aDistanceTable(report, figures),
    el('h2', {}, 'Layer similarity'),
    ckaHeatmap(figures, options.theme),
  );
}
