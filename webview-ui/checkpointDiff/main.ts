// First import: its top level marks the bundle starting to run (see phases.ts).
import { markPaintedAfterThisFrame, markPhase } from '../shared/phases';
import type { ArchitectureRow, CheckpointDiffReport, CheckpointSide, DomainDiff, LayerWeightChange } from '../../src/checkpointDiff/reportFormat';
import type {
  CheckpointDiffPanelPersistedState,
  CheckpointDiffPanelToHost,
  CheckpointDiffTab,
  HostToCheckpointDiffPanel,
} from '../../src/protocol/checkpointDiffMessages';
import { connect } from '../shared/connect';
import { radioGroup, scrollRegion } from '../shared/dom';
import { compact, percent } from '../shared/format';
import { latencyElement } from '../shared/latencyText';
import { button, el, tabs } from '../shared/toolkit';
import { domainGap } from './domainGap';
import { themeKindOf } from './figureScales';

markPhase('script');

markPhase('ready');
const host = connect<HostToCheckpointDiffPanel, CheckpointDiffPanelToHost, CheckpointDiffPanelPersistedState>({
  snapshot: ({ reportFile, report }) => {
    markPhase('snapshot');
    render(reportFile, report);
    markPhase('rendered');
    markPaintedAfterThisFrame();
  },
  error: ({ reportFile, message }) => {
    save({ reportFile });
    app.replaceChildren(el('p', { class: 'error', role: 'alert' }, message));
  },
});
const app = document.getElementById('app')!;
let latest: { reportFile: string; report: CheckpointDiffReport } | undefined;

// VS Code names the theme kind in the body's class and changes it in place: the figures' colours follow.
let theme = themeKindOf(document.body.className);
new MutationObserver(() => {
  const now = themeKindOf(document.body.className);
  if (now === theme) return;
  theme = now;
  if (latest) render(latest.reportFile, latest.report);
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

const points = (value: number): string => `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(100 * value).toFixed(1)} pt`;
const nats = (value: number): string => value.toFixed(4);
const bytes = (value: number): string => (value >= 1 << 20 ? `${(value / (1 << 20)).toFixed(1)} MiB` : `${(value / 1024).toFixed(1)} KiB`);
const shape = (dims: readonly number[]): string => dims.join('×');
const domainLabel = (domain: DomainDiff): string => (domain.kind === 'source-holdout' ? 'source hold-out' : domain.name);
/** An id fragment from a domain or class name (names may hold spaces and punctuation). */
const idPart = (name: string): string => name.replace(/[^A-Za-z0-9_-]/g, '_');

function save(change: Partial<CheckpointDiffPanelPersistedState>): void {
  host.save({ ...host.state, reportFile: latest?.reportFile ?? host.state?.reportFile ?? '', ...change });
}

/** A side's label, with its run when the two come from different runs. */
function sideName(report: CheckpointDiffReport, side: CheckpointSide): string {
  return report.a.runId !== report.b.runId && side.runId ? `${side.label} (${side.runId})` : side.label;
}

function domainsTable(report: CheckpointDiffReport): HTMLElement {
  const columns = ['Domain', 'Images', 'A accuracy', 'B accuracy', 'Δ (A − B)', 'Agreement', 'KL(A‖B)', 'KL(B‖A)'];
  const head = el('tr', {}, ...columns.map((title) => el('th', { scope: 'col' }, title)));
  const rows = report.domains.map((domain) =>
    el(
      'tr',
      { class: domain.kind },
      el('th', { scope: 'row' }, domainLabel(domain)),
      el('td', { class: 'num' }, domain.images.toLocaleString('en-US')),
      el('td', { class: 'num', 'data-side': 'a', 'data-domain': domain.name }, percent(domain.a.accuracy)),
      el('td', { class: 'num', 'data-side': 'b', 'data-domain': domain.name }, percent(domain.b.accuracy)),
      el(
        'td',
        { class: `num delta ${domain.accuracyDelta > 0 ? 'up' : domain.accuracyDelta < 0 ? 'down' : ''}`, 'data-delta': domain.name },
        points(domain.accuracyDelta),
      ),
      el(
        'td',
        {
          class: 'num agreement',
          id: `agreement-${idPart(domain.name)}`,
          'data-agreement': domain.name,
          'aria-label': `Agreement on ${domainLabel(domain)}: ${percent(domain.agreement)}`,
        },
        percent(domain.agreement),
      ),
      el('td', { class: 'num', 'data-kl-ab': domain.name }, nats(domain.klAB)),
      el('td', { class: 'num', 'data-kl-ba': domain.name }, nats(domain.klBA)),
    ),
  );
  const targets = report.domains.filter((domain) => domain.kind === 'target');
  const mean = (pick: (domain: DomainDiff) => number) => targets.reduce((sum, domain) => sum + pick(domain), 0) / targets.length;
  const foot =
    targets.length > 1
      ? [
          el(
            'tfoot',
            {},
            el(
              'tr',
              {},
              el('th', { scope: 'row' }, 'Mean over targets'),
              el('td', {}),
              el('td', { class: 'num' }, percent(mean((d) => d.a.accuracy))),
              el('td', { class: 'num' }, percent(mean((d) => d.b.accuracy))),
              el('td', { class: 'num' }, points(mean((d) => d.accuracyDelta))),
              el('td', { class: 'num', id: 'agreement-mean' }, percent(mean((d) => d.agreement))),
              el('td', { class: 'num' }, nats(mean((d) => d.klAB))),
              el('td', { class: 'num' }, nats(mean((d) => d.klBA))),
            ),
          ),
        ]
      : [];
  const caption =
    'Top-1 accuracy of each checkpoint, the share of images both classify alike, and the mean KL divergence between their predicted distributions (nats, temperature 1).';
  return scrollRegion(
    'Accuracy and agreement per domain',
    el('table', { id: 'domains-table' }, el('caption', {}, caption), el('thead', {}, head), el('tbody', {}, ...rows), ...foot),
  );
}

function costTable(report: CheckpointDiffReport): HTMLElement {
  const { a, b } = report;
  const row = (title: string, valueA: number, valueB: number, format: (value: number) => string) =>
    el(
      'tr',
      {},
      el('th', { scope: 'row' }, title),
      el('td', { class: 'num' }, format(valueA)),
      el('td', { class: 'num' }, format(valueB)),
      el('td', { class: 'num' }, valueB ? `${(valueA / valueB).toFixed(2)}×` : '–'),
    );
  return el(
    'table',
    { id: 'cost-table' },
    el(
      'caption',
      {},
      `What each costs at inference (latency: median wall time of one batch of ${a.cost.latencyBatchSize} images on ${a.cost.backend}, ± half the interquartile range).`,
    ),
    el(
      'thead',
      {},
      el('tr', {}, el('th', { scope: 'col' }, ''), el('th', { scope: 'col' }, 'A'), el('th', { scope: 'col' }, 'B'), el('th', { scope: 'col' }, 'A / B')),
    ),
    el(
      'tbody',
      {},
      row('Parameters', a.cost.parameters, b.cost.parameters, compact),
      row('MACs per image', a.cost.macsPerImage, b.cost.macsPerImage, compact),
      row('Checkpoint size', a.cost.checkpointBytes, b.cost.checkpointBytes, bytes),
      el(
        'tr',
        {},
        el('th', { scope: 'row' }, 'Latency per batch'),
        el('td', { class: 'num', 'data-latency': 'a' }, latencyElement(a.cost)),
        el('td', { class: 'num', 'data-latency': 'b' }, latencyElement(b.cost)),
        el('td', { class: 'num' }, b.cost.latencyMsPerBatch ? `${(a.cost.latencyMsPerBatch / b.cost.latencyMsPerBatch).toFixed(2)}×` : '–'),
      ),
    ),
  );
}

function overview(report: CheckpointDiffReport): HTMLElement {
  return el('div', { class: 'stack' }, domainsTable(report), costTable(report));
}

/** Shading bucket 0..5 of a confusion cell: its share of the true class's images. */
function heat(count: number, rowTotal: number): number {
  return rowTotal ? Math.min(5, Math.ceil((5 * count) / rowTotal)) : 0;
}

function confusionTable(side: 'a' | 'b', title: string, confusion: number[][], classNames: readonly string[]): HTMLElement {
  const head = el('tr', {}, el('th', { scope: 'col' }, 'true ↓ / predicted →'), ...classNames.map((name) => el('th', { scope: 'col' }, name)));
  const rows = confusion.map((row, k) => {
    const total = row.reduce((sum, count) => sum + count, 0);
    return el(
      'tr',
      {},
      el('th', { scope: 'row' }, classNames[k]),
      ...row.map((count, j) =>
        el(
          'td',
          {
            class: `num heat-${heat(count, total)}${j === k ? ' diagonal' : ''}`,
            title: `${classNames[k]} predicted as ${classNames[j]}: ${count} of ${total}`,
            'data-side': side,
            'data-true': classNames[k],
            'data-predicted': classNames[j],
          },
          String(count),
        ),
      ),
    );
  });
  return el(
    'figure',
    {},
    scrollRegion(
      `Confusion matrix of ${title}`,
      el('table', { class: 'confusion', id: `confusion-${side}` }, el('caption', {}, title), el('thead', {}, head), el('tbody', {}, ...rows)),
    ),
  );
}

function perClass(report: CheckpointDiffReport): HTMLElement {
  const chosen = report.domains.find((domain) => domain.name === host.state?.domain) ?? report.domains[0];
  const options = report.domains.map((domain) => ({ id: `domain-${idPart(domain.name)}`, value: domain.name, label: domainLabel(domain) }));
  const picker = radioGroup('Domain', 'domain', options, chosen?.name, (name) => {
    save({ domain: name, tab: 'classes' });
    if (latest) render(latest.reportFile, latest.report);
    // The page was drawn afresh: the focus goes back to the radio button just chosen.
    document.getElementById(`domain-${idPart(name)}`)?.focus();
  });
  if (!chosen) return el('p', {}, 'No domain was evaluated.');
  const rows = report.classNames.map((name, k) => {
    const [accA, accB] = [chosen.a.perClass[k], chosen.b.perClass[k]];
    return el(
      'tr',
      {},
      el('th', { scope: 'row' }, name),
      el('td', { class: 'num', 'data-side': 'a', 'data-class': name }, percent(accA)),
      el('td', { class: 'num', 'data-side': 'b', 'data-class': name }, percent(accB)),
      el('td', { class: 'num' }, accA === null || accB === null ? '–' : points(accA - accB)),
    );
  });
  const table = el(
    'table',
    { id: 'per-class-table' },
    el('caption', {}, `Per-class accuracy on ${domainLabel(chosen)}`),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col' }, 'Class'),
        el('th', { scope: 'col' }, 'A'),
        el('th', { scope: 'col' }, 'B'),
        el('th', { scope: 'col' }, 'Δ (A − B)'),
      ),
    ),
    el('tbody', {}, ...rows),
  );
  return el(
    'div',
    { class: 'stack' },
    picker,
    scrollRegion('Per-class accuracy', table),
    el(
      'div',
      { class: 'side-by-side' },
      confusionTable('a', `A: ${report.a.label}`, chosen.a.confusion, report.classNames),
      confusionTable('b', `B: ${report.b.label}`, chosen.b.confusion, report.classNames),
    ),
    el(
      'p',
      { class: 'legend' },
      'Rows are true classes, columns predictions; shading is the share of the row; correct predictions (the diagonal) are bold and underlined.',
    ),
  );
}

function layersTable(id: string, caption: string, layers: readonly ArchitectureRow[], weights?: readonly LayerWeightChange[]): HTMLElement {
  const byLayer = new Map((weights ?? []).map((change) => [change.layer, change]));
  const columns = ['#', 'Layer', 'Class', 'Output shape', 'Parameters', ...(weights ? ['Relative L2 ‖A−B‖/‖A‖', 'Cosine'] : [])];
  const rows = layers.map((layer, i) => {
    const change = byLayer.get(layer.name);
    return el(
      'tr',
      {},
      el('td', { class: 'num' }, String(i + 1)),
      el('th', { scope: 'row' }, layer.name),
      el('td', {}, layer.className),
      el('td', { class: 'num' }, shape(layer.outputShape)),
      el('td', { class: 'num' }, layer.params.toLocaleString('en-US')),
      ...(weights
        ? [
            el('td', { class: 'num', 'data-relative-l2': layer.name }, change ? (change.relativeL2 === null ? '∞' : change.relativeL2.toFixed(4)) : '–'),
            el('td', { class: 'num', 'data-cosine': layer.name }, change?.cosine === null || !change ? '–' : change.cosine.toFixed(4)),
          ]
        : []),
    );
  });
  return scrollRegion(
    caption,
    el(
      'table',
      { id },
      el('caption', {}, caption),
      el('thead', {}, el('tr', {}, ...columns.map((title) => el('th', { scope: 'col' }, title)))),
      el('tbody', {}, ...rows),
    ),
  );
}

function architecture(report: CheckpointDiffReport): HTMLElement {
  if (report.architecture.same) {
    return el(
      'div',
      { class: 'stack' },
      el('p', { id: 'architecture-verdict' }, `One architecture (${report.a.architecture}): per-layer weight change from A to B.`),
      layersTable('layers-table', `Layers of ${report.a.architecture}`, report.a.layers, report.weights),
    );
  }
  return el(
    'div',
    { class: 'stack' },
    el('p', { id: 'architecture-verdict' }, `Different architectures (${report.architecture.difference ?? 'layers differ'}), so no weight comparison.`),
    el(
      'div',
      { class: 'side-by-side' },
      layersTable('layers-a', `A: ${report.a.architecture}`, report.a.layers),
      layersTable('layers-b', `B: ${report.b.architecture}`, report.b.layers),
    ),
  );
}

function render(reportFile: string, report: CheckpointDiffReport): void {
  latest = { reportFile, report };
  save({ reportFile });
  const header = el(
    'header',
    {},
    el(
      'h1',
      {},
      el('span', { class: 'side-tag' }, 'A'),
      ` ${sideName(report, report.a)} `,
      el('span', { class: 'versus' }, 'vs'),
      ' ',
      el('span', { class: 'side-tag' }, 'B'),
      ` ${sideName(report, report.b)}`,
    ),
    el(
      'span',
      { class: 'subtitle' },
      [
        report.a.runId === report.b.runId ? report.a.runId : undefined,
        `${report.a.architecture} vs ${report.b.architecture}`,
        `${report.classNames.length} classes`,
        `data: ${report.data.source} → ${report.data.targets.join(', ')}`,
        report.backend,
      ]
        .filter(Boolean)
        .join(' · '),
    ),
    button('Open Report', () => host.post({ type: 'openReport' }), { title: reportFile }),
  );
  const content = tabs(
    [
      { id: 'overview', label: 'Accuracy & agreement', content: overview(report) },
      { id: 'classes', label: 'Per class', content: perClass(report) },
      { id: 'architecture', label: report.architecture.same ? 'Architecture & weights' : 'Architecture', content: architecture(report) },
      {
        id: 'features',
        label: 'Domain gap',
        content: domainGap(report, { theme, state: host.state, save, recompute: () => host.post({ type: 'recompute' }) }),
      },
    ],
    host.state?.tab ?? 'overview',
    (id) => save({ tab: id as CheckpointDiffTab }),
  );
  app.replaceChildren(header, content);
}
