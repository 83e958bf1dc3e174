/**
 * The Results panel's curves as small SVG line charts, each with a legend in VS Code's look: the
 * tick labels are text in the DOM (where tests read them back), every axis has a title with its
 * unit, and each curve its colour and dash (seriesPalette.ts). The legend gives each curve's value
 * at the epoch under the pointer (the last epoch otherwise) as the table writes it; a legend entry
 * is a toggle button (click, Enter or Space) that hides or shows its curve, the y axis following
 * the curves shown. The plot takes the keyboard too: arrow keys, Home and End move the epoch.
 * Charts redraw at their width when it changes, and in the theme's palette when the theme changes.
 */
import { linearScale } from '../../src/runComparison/plotAxes';
import { themeKindOf } from '../shared/categoricalColours';
import { el, svg } from '../shared/dom';
import { epochAxis, tickStep, VALUE_SCALES } from './axisTicks';
import type { CurveChart } from './curveCharts';
import { seriesStyle } from './seriesPalette';

/** The plot's height, and the room around its plotting area for tick labels and axis titles, in px. */
const HEIGHT = 190;
const MARGIN = { top: 10, right: 16, bottom: 38, left: 58 };
/** Up to this many epochs, each point gets a dot: a short run's curve is a few segments. */
const DOTS_UP_TO = 30;

/** A coordinate to two decimals: exact enough to read a value back from, and short. */
const at = (value: number): string => String(Math.round(value * 100) / 100);

/** Curves the user hid, by chart id and curve label: a snapshot redraws the panel, and they stay hidden. */
const hiddenCurves = new Set<string>();
/** Redraws each chart on the page (at its width, in the current theme), by its figure. */
const redraws = new Map<Element, () => void>();
const resizes = new ResizeObserver((entries) => {
  for (const entry of entries) redraws.get(entry.target)?.();
});
new MutationObserver(() => {
  for (const redraw of redraws.values()) redraw();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

/** The charts' section; replaces the charts an earlier call drew. */
export function curvesSection(charts: readonly CurveChart[]): HTMLElement {
  resizes.disconnect();
  redraws.clear();
  const section = el('section', { class: 'charts', 'aria-label': 'Learning curves' });
  for (const chart of charts) if (chart.epochs.length) section.append(lineChart(chart));
  return section;
}

function lineChart(chart: CurveChart): HTMLElement {
  const scale = VALUE_SCALES[chart.kind];
  const { epochs } = chart;
  const key = (label: string) => `${chart.id}\u0000${label}`;
  const plot = svg('svg', {
    class: 'plot',
    role: 'img',
    tabindex: 0,
    height: HEIGHT,
    'aria-label': `${chart.title}: ${scale.title} by epoch. Arrow keys move the epoch the legend gives values at.`,
  });
  const epochLabel = el('span', { class: 'legend-epoch' });
  const entries = chart.series.map((series) => {
    const swatch = svg('svg', { class: 'swatch', width: 26, height: 10, 'aria-hidden': 'true' });
    const value = el('span', { class: 'legend-value' });
    const button = el(
      'button',
      { type: 'button', class: 'legend-item', 'data-series': series.label },
      swatch,
      el('span', { class: 'legend-label' }, series.label),
      value,
    );
    button.addEventListener('click', () => {
      if (hiddenCurves.has(key(series.label))) hiddenCurves.delete(key(series.label));
      else hiddenCurves.add(key(series.label));
      draw();
    });
    return { series, swatch, value, button };
  });
  const legend = el(
    'div',
    { class: 'legend', role: 'group', 'aria-label': `${chart.title}: curves, each a button that hides or shows it` },
    epochLabel,
    ...entries.map((entry) => entry.button),
  );
  const figure = el('figure', { class: 'curve-chart', id: chart.id, 'data-kind': chart.kind }, el('figcaption', {}, chart.title), plot, legend);

  let cursor = epochs.length - 1;
  let xAt: (epoch: number) => number = () => 0;
  const cursorLine = svg('line', { class: 'cursor' });

  function showCursor(): void {
    const epoch = epochs[cursor];
    epochLabel.textContent = `epoch ${epoch}`;
    for (const { series, value, button } of entries) {
      const text = scale.value(series.values[cursor]);
      value.textContent = text;
      button.setAttribute('aria-label', `${series.label}: ${text} at epoch ${epoch}`);
    }
    const x = at(xAt(epoch));
    for (const [name, value] of Object.entries({ x1: x, x2: x, y1: MARGIN.top, y2: HEIGHT - MARGIN.bottom })) cursorLine.setAttribute(name, String(value));
  }

  function draw(): void {
    const width = Math.floor(figure.clientWidth);
    if (width <= MARGIN.left + MARGIN.right) return;
    const theme = themeKindOf(document.body.className);
    const shown = entries.filter(({ series }) => !hiddenCurves.has(key(series.label)));
    // With every curve hidden, the axes stay where all of them would put them.
    const values = (shown.length ? shown : entries).flatMap(({ series }) => series.values).filter((value): value is number => value !== null);
    const yAxis = scale.axis(values);
    const step = tickStep(yAxis);
    const xAxis = epochAxis(epochs[0], epochs[epochs.length - 1]);
    const [left, right, top, bottom] = [MARGIN.left, width - MARGIN.right, MARGIN.top, HEIGHT - MARGIN.bottom];
    xAt = linearScale(xAxis, left, right);
    const yAt = linearScale(yAxis, bottom, top);

    const yTicks = yAxis.ticks.map((tick) => [
      svg('line', { class: 'grid', x1: left, x2: right, y1: at(yAt(tick)), y2: at(yAt(tick)) }),
      svg(
        'text',
        { class: 'tick-label', x: left - 6, y: at(yAt(tick)), 'text-anchor': 'end', 'dominant-baseline': 'middle', 'data-value': tick },
        scale.tick(tick, step),
      ),
    ]);
    const xTicks = xAxis.ticks.map((tick) => [
      svg('line', { class: 'tick', x1: at(xAt(tick)), x2: at(xAt(tick)), y1: bottom, y2: bottom + 4 }),
      svg('text', { class: 'tick-label', x: at(xAt(tick)), y: bottom + 16, 'text-anchor': 'middle', 'data-value': tick }, String(tick)),
    ]);
    const curves = shown.map(({ series }) => {
      const style = seriesStyle(theme, series.styleIndex);
      let d = '';
      let dots = '';
      series.values.forEach((value, i) => {
        if (value === null) return;
        const point = `${at(xAt(epochs[i]))} ${at(yAt(value))}`;
        d += `${i > 0 && series.values[i - 1] !== null ? 'L' : 'M'}${point}`;
        dots += `M${point}h0`;
      });
      const line = svg('path', { class: 'curve', 'data-series': series.label, d, stroke: style.colour, 'stroke-dasharray': style.dash || 'none' });
      return epochs.length <= DOTS_UP_TO ? [line, svg('path', { class: 'dots', 'data-series': series.label, d: dots, stroke: style.colour })] : [line];
    });
    plot.setAttribute('width', String(width));
    plot.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);
    plot.replaceChildren(
      svg(
        'g',
        { class: 'axis axis-y' },
        ...yTicks.flat(),
        svg('text', { class: 'axis-title', transform: `translate(14 ${at((top + bottom) / 2)}) rotate(-90)`, 'text-anchor': 'middle' }, scale.title),
      ),
      svg(
        'g',
        { class: 'axis axis-x' },
        svg('line', { class: 'baseline', x1: left, x2: right, y1: bottom, y2: bottom }),
        ...xTicks.flat(),
        svg('text', { class: 'axis-title', x: at((left + right) / 2), y: HEIGHT - 4, 'text-anchor': 'middle' }, 'epoch'),
      ),
      cursorLine,
      svg('g', { class: 'curves' }, ...curves.flat()),
    );
    for (const { series, swatch, button } of entries) {
      const style = seriesStyle(theme, series.styleIndex);
      swatch.replaceChildren(svg('line', { x1: 1, x2: 25, y1: 5, y2: 5, stroke: style.colour, 'stroke-dasharray': style.dash || 'none' }));
      button.setAttribute('aria-pressed', String(!hiddenCurves.has(key(series.label))));
    }
    showCursor();
  }

  const moveTo = (index: number) => {
    cursor = Math.max(0, Math.min(epochs.length - 1, index));
    showCursor();
  };
  plot.addEventListener('pointermove', (event) => {
    const x = event.clientX - plot.getBoundingClientRect().left;
    let nearest = 0;
    epochs.forEach((epoch, i) => {
      if (Math.abs(xAt(epoch) - x) < Math.abs(xAt(epochs[nearest]) - x)) nearest = i;
    });
    moveTo(nearest);
  });
  plot.addEventListener('pointerleave', () => moveTo(epochs.length - 1));
  plot.addEventListener('keydown', (event) => {
    const next = { ArrowLeft: cursor - 1, ArrowRight: cursor + 1, Home: 0, End: epochs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    moveTo(next);
  });

  redraws.set(figure, draw);
  resizes.observe(figure);
  return figure;
}
