import {
  costPlotPoints,
  PLOT_COST_TEXT,
  PLOT_COSTS,
  pointAccuracyText,
  pointLabel,
  type CostPlotData,
  type PlotCost,
} from '../../src/runComparison/costPlotPoints';
import { frontSteps } from '../../src/runComparison/paretoFront';
import { formatPercentTick, formatSi, linearAxis, linearScale, logAxis, logScale, type Axis } from '../../src/runComparison/plotAxes';
import type { ComparisonTable } from '../../src/runComparison/runComparison';
import { el } from '../shared/dom';
import { markPhase } from '../shared/phases';
import type { TableView } from './tableView';

const SVG = 'http://www.w3.org/2000/svg';

/** Room for the tick labels and axis titles around the plotting area, in pixels. */
const MARGIN = { top: 12, right: 20, bottom: 44, left: 60 };
/** A marker's radius. */
const R = 5;

/** The themes' chart colours: a method's colour is its place among the methods, modulo this many. */
const COLOURS = 6;

/** Marker shapes around (0, 0), one per method (with the colour, so that colour is not the only cue). */
const SHAPES: readonly { name: string; d: string }[] = (() => {
  const s = R * 0.88;
  const a = R * 0.38;
  const poly = (points: [number, number][]) => `M${points.map(([x, y]) => `${x.toFixed(2)} ${y.toFixed(2)}`).join('L')}Z`;
  return [
    { name: 'circle', d: `M${-R} 0a${R} ${R} 0 1 0 ${2 * R} 0a${R} ${R} 0 1 0 ${-2 * R} 0Z` },
    {
      name: 'square',
      d: poly([
        [-s, -s],
        [s, -s],
        [s, s],
        [-s, s],
      ]),
    },
    {
      name: 'triangle',
      d: poly([
        [0, -R * 1.15],
        [R * 1.05, R * 0.75],
        [-R * 1.05, R * 0.75],
      ]),
    },
    {
      name: 'diamond',
      d: poly([
        [0, -R * 1.25],
        [R, 0],
        [0, R * 1.25],
        [-R, 0],
      ]),
    },
    {
      name: 'triangle pointing down',
      d: poly([
        [0, R * 1.15],
        [R * 1.05, -R * 0.75],
        [-R * 1.05, -R * 0.75],
      ]),
    },
    {
      name: 'plus',
      d: poly([
        [-a, -R],
        [a, -R],
        [a, -a],
        [R, -a],
        [R, a],
        [a, a],
        [a, R],
        [-a, R],
        [-a, a],
        [-R, a],
        [-R, -a],
        [-a, -a],
      ]),
    },
  ];
})();

/** A method's colour and shape: the seventh method takes the first colour with the second shape, and so on. */
function methodStyle(index: number): { colour: number; shape: number } {
  return { colour: index % COLOURS, shape: (index + Math.floor(index / COLOURS)) % SHAPES.length };
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** A marker as the legend shows it: the method's shape and colour, filled or hollow. */
function legendMarker(shape: number, colour: number | 'neutral', hollow = false): SVGSVGElement {
  const box = svg('svg', { width: 14, height: 14, viewBox: '-7 -7 14 14', 'aria-hidden': 'true', class: 'legend-marker' });
  box.append(svg('path', { d: SHAPES[shape].d, class: `marker ${colour === 'neutral' ? colour : `c${colour}`}${hollow ? ' hollow' : ''}` }));
  return box;
}

export interface CostPlotActions {
  /** A point (or a front table row) was chosen: open that run's results. */
  open(runDir: string): void;
  /** The x axis was switched to another cost. */
  chooseCost(cost: PlotCost): void;
}

/** What the last drawing was of: the same again draws nothing. */
interface Drawn {
  table: ComparisonTable;
  rows: readonly number[];
  grouped: boolean;
  cost: PlotCost;
  width: number;
  height: number;
}

/**
 * Compare Runs' accuracy-versus-cost plot: every model of the runs the table shows (or of its
 * configurations, grouped) as a marker at its cost (log x) and mean target accuracy (y), coloured
 * and shaped by method, the Pareto front ringed and joined by a staircase, and the front again as
 * a table. SVG, one element per marker: markers are in the tab order as one stop (arrow keys move
 * between them by cost), Enter or a click opens the run's results. Hidden, it computes nothing.
 */
export class CostPlot {
  readonly element: HTMLElement;
  private readonly select = el('select', { id: 'plot-cost', 'aria-label': 'Cost on the x axis' });
  private readonly note = el('span', { class: 'subtitle', id: 'plot-note' });
  private readonly legend = el('ul', { class: 'plot-legend', id: 'plot-legend', 'aria-label': 'Legend' });
  private readonly area = el('div', { class: 'plot-area' });
  private readonly chart = svg('svg', { id: 'cost-plot-svg', role: 'group' });
  private readonly tooltip = el('div', { class: 'plot-tooltip', id: 'plot-tooltip', role: 'tooltip' });
  private readonly empty = el('p', { class: 'empty', id: 'plot-empty' });
  private readonly frontCaption = el('caption');
  private readonly frontCostHeader = el('th', { scope: 'col', class: 'num' });
  private readonly frontBody = el('tbody');
  private data: CostPlotData = { points: [], front: [], methods: [], withoutCost: 0 };
  private cost: PlotCost = 'macs';
  /** Point indexes by cost, then accuracy (best first): the order arrow keys move in. */
  private order: number[] = [];
  /** Position in `order` of the point that holds the tab stop, and its key (which outlives a redraw). */
  private stop = 0;
  private stopKey: string | undefined;
  private drawn: Drawn | undefined;
  /** Each point's marker centre in the last drawing, in pixels, and its element. */
  private centres: [number, number][] = [];
  private markers: SVGElement[] = [];
  private view: TableView | undefined;

  constructor(private readonly actions: CostPlotActions) {
    for (const cost of PLOT_COSTS) this.select.append(el('option', { value: cost }, PLOT_COST_TEXT[cost].choice));
    this.select.addEventListener('change', () => actions.chooseCost(this.select.value as PlotCost));
    this.tooltip.hidden = true;
    this.empty.hidden = true;
    this.area.append(this.chart, this.tooltip, this.empty);
    const frontTable = el(
      'table',
      { id: 'front-table' },
      this.frontCaption,
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, 'run'),
          el('th', { scope: 'col' }, 'model'),
          el('th', { scope: 'col' }, 'method'),
          el('th', { scope: 'col', class: 'num' }, 'accuracy'),
          this.frontCostHeader,
        ),
      ),
      this.frontBody,
    );
    this.element = el(
      'section',
      { id: 'cost-plot', 'aria-labelledby': 'cost-plot-title' },
      el('div', { class: 'plot-bar' }, el('h2', { id: 'cost-plot-title' }, 'Mean target accuracy vs'), this.select, this.note, this.legend),
      el(
        'div',
        { class: 'plot-body' },
        this.area,
        el('div', { class: 'front-box', role: 'region', tabindex: '0', 'aria-label': 'Pareto front as a table' }, frontTable),
      ),
    );
    this.element.hidden = true;

    this.chart.addEventListener('click', (event) => {
      const index = this.pointIndex(event.target);
      if (index === undefined) return;
      this.moveStop(this.order.indexOf(index));
      actions.open(this.data.points[index].runDir);
    });
    this.chart.addEventListener('keydown', (event) => this.onKey(event));
    this.chart.addEventListener('pointerover', (event) => {
      const index = this.pointIndex(event.target);
      if (index !== undefined) this.showTooltip(index);
    });
    this.chart.addEventListener('pointerout', (event) => {
      if (this.pointIndex(event.target) !== undefined && this.pointIndex(event.relatedTarget) === undefined) this.hideTooltip();
    });
    this.chart.addEventListener('focusin', (event) => {
      const index = this.pointIndex(event.target);
      if (index !== undefined) this.showTooltip(index);
    });
    this.chart.addEventListener('focusout', () => this.hideTooltip());
    this.frontBody.addEventListener('click', (event) => {
      const runDir = (event.target as HTMLElement).closest<HTMLButtonElement>('button.front-open')?.dataset.runDir;
      if (runDir) actions.open(runDir);
    });
    new ResizeObserver(() => {
      if (this.view && !this.element.hidden) this.update(this.view, this.cost);
    }).observe(this.area);
  }

  /** Shows or hides the plot; hidden, it neither computes nor draws. */
  setShown(shown: boolean): void {
    this.element.hidden = !shown;
    if (!shown) {
      this.hideTooltip();
      this.drawn = undefined;
      this.chart.replaceChildren();
      this.markers = [];
      this.frontBody.replaceChildren();
    }
  }

  /** Draws the runs the view shows (grouped if it is), when they, the cost or the size changed since the last drawing. */
  update(view: TableView, cost: PlotCost): void {
    this.view = view;
    this.cost = cost;
    this.select.value = cost;
    if (this.element.hidden) return;
    const grouped = view.choices.grouped ?? false;
    const width = Math.floor(this.area.clientWidth);
    const height = Math.floor(this.area.clientHeight);
    const last = this.drawn;
    // Ungrouped, the order of the runs changes nothing drawn (a sort redraws nothing); grouped, it picks each group's first run.
    const rows = grouped ? view.visibleRows : [...view.visibleRows].sort((a, b) => a - b);
    if (
      last &&
      last.table === view.table &&
      last.grouped === grouped &&
      last.cost === cost &&
      last.width === width &&
      last.height === height &&
      last.rows.length === rows.length &&
      last.rows.every((row, i) => row === rows[i])
    )
      return;
    this.drawn = { table: view.table, rows, grouped, cost, width, height };
    this.data = costPlotPoints(view.table, view.visibleRows, cost, grouped ? view.groups : undefined);
    const { points } = this.data;
    this.order = points.map((_, index) => index).sort((i, j) => points[i].cost - points[j].cost || points[j].accuracy - points[i].accuracy || i - j);
    const kept = this.stopKey === undefined ? -1 : this.order.findIndex((index) => points[index].key === this.stopKey);
    this.stop = Math.max(0, kept);
    this.stopKey = this.order.length ? points[this.order[this.stop]].key : undefined;
    this.renderNote(grouped);
    this.renderLegend();
    this.renderFrontTable(grouped);
    this.renderChart(width, height);
  }

  private renderNote(grouped: boolean): void {
    const { points, front, withoutCost } = this.data;
    const what = grouped ? 'configurations' : 'runs';
    const sources = new Set(points.map((point) => point.runDir)).size;
    const notDrawn = withoutCost ? ` · ${withoutCost} not drawn: no ${PLOT_COST_TEXT[this.cost].choice.toLowerCase()} recorded` : '';
    this.note.textContent = `${points.length} ${points.length === 1 ? 'model' : 'models'} of ${sources} ${what} · ${front.length} on the Pareto front${notDrawn}`;
  }

  private renderLegend(): void {
    const items = this.data.methods.map((method, index) => {
      const { colour, shape } = methodStyle(index);
      return el(
        'li',
        { 'data-method': method, title: `${method || 'no method'}: ${SHAPES[shape].name}` },
        legendMarker(shape, colour),
        method || '(no method)',
      );
    });
    const roles = el('li', { class: 'legend-note' }, legendMarker(0, 'neutral'), 'student ', legendMarker(0, 'neutral', true), 'teacher');
    // A ringed marker on a step of the staircase.
    const front = svg('svg', { width: 30, height: 20, viewBox: '0 0 30 20', 'aria-hidden': 'true', class: 'legend-marker' });
    front.append(
      svg('path', { d: 'M1 17H15V10H29', class: 'front-line' }),
      svg('circle', { cx: 15, cy: 10, r: R + 3, class: 'front-ring' }),
      svg('path', { d: SHAPES[0].d, transform: 'translate(15 10)', class: 'marker neutral' }),
    );
    this.legend.replaceChildren(...items, roles, el('li', { class: 'legend-note' }, front, 'Pareto front'));
  }

  private renderFrontTable(grouped: boolean): void {
    const { points, front } = this.data;
    this.frontCaption.textContent = `Pareto front: ${front.length} ${front.length === 1 ? 'model' : 'models'}, cheapest first`;
    this.frontCostHeader.textContent = PLOT_COST_TEXT[this.cost].axis;
    const rows = front.map((index) => {
      const point = points[index];
      const open = el(
        'button',
        {
          type: 'button',
          class: 'row-button run-link front-open',
          'data-run-dir': point.runDir,
          title: `Open the results of ${grouped ? 'the first run of ' : ''}${point.label}`,
        },
        grouped ? `${point.label} (${point.runs} ${point.runs === 1 ? 'run' : 'runs'})` : point.label,
      );
      return el(
        'tr',
        { 'data-key': point.key },
        el('th', { scope: 'row' }, open),
        el('td', {}, point.role),
        el('td', {}, point.method),
        el('td', { class: 'num' }, pointAccuracyText(point)),
        el('td', { class: 'num' }, PLOT_COST_TEXT[this.cost].value(point.cost)),
      );
    });
    this.frontBody.replaceChildren(...rows);
  }

  private renderChart(width: number, height: number): void {
    const { points } = this.data;
    const x = logAxis(points.map((point) => point.cost));
    this.hideTooltip();
    this.empty.hidden = points.length > 0;
    this.chart.toggleAttribute('hidden', points.length === 0);
    if (!x || width <= MARGIN.left + MARGIN.right || height <= MARGIN.top + MARGIN.bottom) {
      this.empty.textContent = `No model shown has both a mean target accuracy and its ${PLOT_COST_TEXT[this.cost].choice.toLowerCase()}.`;
      this.chart.replaceChildren();
      this.markers = [];
      return;
    }
    const low = Math.min(...points.map((point) => point.accuracy - (point.std ?? 0)));
    const high = Math.max(...points.map((point) => point.accuracy + (point.std ?? 0)));
    const y = linearAxis(low, high, { bounds: [0, 1] });
    const left = MARGIN.left;
    const right = width - MARGIN.right;
    const top = MARGIN.top;
    const bottom = height - MARGIN.bottom;
    const px = logScale(x, left, right);
    const py = linearScale(y, bottom, top);
    const clampY = (value: number) => Math.min(bottom, Math.max(top, py(value)));
    this.chart.setAttribute('width', String(width));
    this.chart.setAttribute('height', String(height));
    this.chart.setAttribute('viewBox', `0 0 ${width} ${height}`);
    this.chart.setAttribute(
      'aria-label',
      `Mean target accuracy against ${PLOT_COST_TEXT[this.cost].axis}: ${this.note.textContent}. Arrow keys move between models by cost; Enter opens a run's results.`,
    );

    const children: SVGElement[] = [...this.axes(x, y, px, py, { left, right, top, bottom })];
    // The front as a staircase through its points, cheapest first.
    const steps = frontSteps(this.data.front.map((index) => points[index]));
    if (steps.length > 1)
      children.push(
        svg('path', { class: 'front-line', d: `M${steps.map(([cost, accuracy]) => `${px(cost).toFixed(1)} ${py(accuracy).toFixed(1)}`).join('L')}` }),
      );
    const bars: SVGElement[] = [];
    const rings: SVGElement[] = [];
    const markers: SVGElement[] = [];
    const styles = new Map(this.data.methods.map((method, index) => [method, methodStyle(index)]));
    this.centres = points.map((point) => [px(point.cost), py(point.accuracy)]);
    points.forEach((point, index) => {
      const [cx, cy] = this.centres[index];
      if (point.std !== undefined && point.std > 0) {
        const y1 = clampY(point.accuracy + point.std).toFixed(2);
        const y2 = clampY(point.accuracy - point.std).toFixed(2);
        const x0 = cx.toFixed(2);
        bars.push(
          svg('path', { class: 'error-bar', 'data-key': point.key, d: `M${x0} ${y1}V${y2}M${(cx - 3).toFixed(2)} ${y1}h6M${(cx - 3).toFixed(2)} ${y2}h6` }),
        );
      }
      if (point.onFront) rings.push(svg('circle', { class: 'front-ring', cx: cx.toFixed(2), cy: cy.toFixed(2), r: R + 3 }));
      const { colour, shape } = styles.get(point.method) ?? { colour: 0, shape: 0 };
      // Few attributes per marker (a thousand runs draw thousands): the tab stop alone gets its role and label (see moveStop).
      markers.push(
        svg('path', {
          class: `point marker c${colour}${point.role === 'student' ? '' : ' hollow'}${point.onFront ? ' front' : ''}`,
          d: SHAPES[shape].d,
          transform: `translate(${cx.toFixed(2)} ${cy.toFixed(2)})`,
          'data-index': index,
          'data-key': point.key,
          'data-accuracy': point.accuracy,
          'data-cost': point.cost,
          ...(point.grouped ? { 'data-n': point.n } : {}),
          ...(point.std === undefined ? {} : { 'data-std': point.std }),
          ...(point.onFront ? { 'data-front': 'true' } : {}),
        }),
      );
    });
    // The front's markers last, so that they are on top of (and take the clicks from) any marker they overlap.
    const front = new Set(this.data.front);
    const stacked = [...markers.filter((_, index) => !front.has(index)), ...this.data.front.map((index) => markers[index])];
    this.chart.replaceChildren(...children, ...bars, ...rings, ...stacked);
    this.markers = markers;
    this.makeStop(this.stop);
    markPhase('plot-drawn');
  }

  /** Grid lines, ticks and their labels, and the axis titles. */
  private axes(
    x: Axis,
    y: Axis,
    px: (value: number) => number,
    py: (value: number) => number,
    box: { left: number; right: number; top: number; bottom: number },
  ): SVGElement[] {
    const { left, right, top, bottom } = box;
    const out: SVGElement[] = [];
    const grid = [...x.ticks.map((tick) => `M${px(tick).toFixed(1)} ${top}V${bottom}`), ...y.ticks.map((tick) => `M${left} ${py(tick).toFixed(1)}H${right}`)];
    out.push(svg('path', { class: 'grid', d: grid.join('') }));
    if (x.minor?.length) out.push(svg('path', { class: 'minor-tick', d: x.minor.map((tick) => `M${px(tick).toFixed(1)} ${bottom}v4`).join('') }));
    out.push(svg('path', { class: 'axis', d: `M${left} ${top}V${bottom}H${right}` }));
    for (const tick of x.ticks) {
      out.push(
        svg('text', { class: 'tick-label x-tick', x: px(tick).toFixed(1), y: bottom + 16, 'text-anchor': 'middle', 'data-value': tick }, formatSi(tick)),
      );
    }
    const step = y.ticks.length > 1 ? y.ticks[1] - y.ticks[0] : 0.1;
    for (const tick of y.ticks) {
      out.push(
        svg(
          'text',
          { class: 'tick-label y-tick', x: left - 6, y: py(tick).toFixed(1), 'text-anchor': 'end', 'dominant-baseline': 'middle', 'data-value': tick },
          formatPercentTick(tick, step),
        ),
      );
    }
    out.push(
      svg(
        'text',
        { class: 'axis-title', id: 'plot-x-title', x: (left + right) / 2, y: bottom + 36, 'text-anchor': 'middle' },
        `${PLOT_COST_TEXT[this.cost].axis} (log scale)`,
      ),
    );
    const yTitle = svg(
      'text',
      { class: 'axis-title', x: 0, y: 0, 'text-anchor': 'middle', transform: `translate(14 ${(top + bottom) / 2}) rotate(-90)` },
      'Mean target accuracy (%)',
    );
    out.push(yTitle);
    return out;
  }

  private pointIndex(target: EventTarget | null): number | undefined {
    if (!(target instanceof Element) || !target.classList.contains('point')) return undefined;
    const index = Number(target.getAttribute('data-index'));
    return Number.isInteger(index) && index < this.data.points.length ? index : undefined;
  }

  /** Moves the tab stop to the point at `position` in cost order. */
  private moveStop(position: number): void {
    if (position < 0 || position >= this.order.length) return;
    const previous = this.markers[this.order[this.stop]];
    for (const name of ['tabindex', 'role', 'aria-label']) previous?.removeAttribute(name);
    this.makeStop(position);
  }

  /**
   * The point at `position` in cost order takes the tab stop: in the tab order, a button named by
   * what it is (`run X, student: 48.4% at 651.7k MACs`). The other markers are plain graphics, so
   * that a screen reader meets one control, not thousands; the front's table lists the front for it.
   */
  private makeStop(position: number): void {
    const index = this.order[position];
    const marker = index === undefined ? undefined : this.markers[index];
    if (!marker) return;
    this.stop = position;
    this.stopKey = this.data.points[index].key;
    marker.setAttribute('tabindex', '0');
    marker.setAttribute('role', 'button');
    marker.setAttribute('aria-label', pointLabel(this.data.points[index], this.cost));
  }

  private onKey(event: KeyboardEvent): void {
    const index = this.pointIndex(event.target);
    if (index === undefined) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      this.actions.open(this.data.points[index].runDir);
      return;
    }
    const here = this.order.indexOf(index);
    const moves: Record<string, number> = {
      ArrowRight: here + 1,
      ArrowDown: here + 1,
      ArrowLeft: here - 1,
      ArrowUp: here - 1,
      Home: 0,
      End: this.order.length - 1,
    };
    if (!Object.hasOwn(moves, event.key)) return;
    event.preventDefault();
    const position = Math.max(0, Math.min(this.order.length - 1, moves[event.key]));
    this.moveStop(position);
    this.markers[this.order[position]]?.focus();
  }

  private showTooltip(index: number): void {
    const point = this.data.points[index];
    if (!this.centres[index]) return;
    const what = point.grouped ? `${point.label} (${point.runs} ${point.runs === 1 ? 'run' : 'runs'})` : point.label;
    this.tooltip.replaceChildren(
      el('div', { class: 'tooltip-title' }, what),
      el('div', {}, `${point.role}${point.method ? ` · ${point.method}` : ''}`),
      el('div', {}, `accuracy ${pointAccuracyText(point)}`),
      el('div', {}, PLOT_COST_TEXT[this.cost].value(point.cost)),
      ...(point.onFront ? [el('div', { class: 'tooltip-front' }, 'on the Pareto front')] : []),
    );
    this.tooltip.hidden = false;
    // Beside the marker, inside the plot: to its left when it is near the right edge. CSSOM, not a style attribute (the CSP).
    const [cx, cy] = this.centres[index];
    const width = this.tooltip.offsetWidth;
    const height = this.tooltip.offsetHeight;
    const leftSide = cx + 12 + width > this.area.clientWidth;
    this.tooltip.style.left = `${Math.max(0, leftSide ? cx - 12 - width : cx + 12)}px`;
    this.tooltip.style.top = `${Math.max(0, Math.min(this.area.clientHeight - height, cy - height / 2))}px`;
  }

  private hideTooltip(): void {
    this.tooltip.hidden = true;
  }
}
