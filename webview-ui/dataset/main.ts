import type { DatasetSummary } from '../../src/datasetScan/datasetSummary';
import { LAYOUT_LABELS } from '../../src/datasetScan/datasetSummary';
import type { DatasetPanelPersistedState, DatasetPanelState, DatasetPanelToHost, HostToDatasetPanel } from '../../src/protocol/datasetMessages';
import { connect } from '../shared/connect';
import { scrollRegion } from '../shared/dom';
import { badge, button, el, progressRing, tabs } from '../shared/toolkit';
import { balanceOf, IMBALANCE_FACTOR, type Balance } from './imbalance';

const host = connect<HostToDatasetPanel, DatasetPanelToHost, DatasetPanelPersistedState>({ snapshot: ({ state }) => render(state) });
const app = document.getElementById('app')!;

const BALANCE_TITLES: Record<Balance, string> = {
  empty: 'No images',
  low: `Fewer than 1/${IMBALANCE_FACTOR} of the median`,
  high: `More than ${IMBALANCE_FACTOR}x the median`,
  ok: '',
};

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function cell(text: string, attributes: Record<string, string>, balance: Balance = 'ok'): HTMLTableCellElement {
  const td = el('td', { ...attributes, class: `num ${balance}` }, text);
  if (balance !== 'ok') td.title = BALANCE_TITLES[balance];
  return td;
}

function matrix(summary: DatasetSummary): HTMLElement {
  const classes = summary.classNames;
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col' }, 'Domain'),
    ...classes.map((name) => el('th', { scope: 'col' }, name)),
    el('th', { scope: 'col' }, 'Total'),
  );
  const domainBalance = balanceOf(summary.domains.map((domain) => domain.count));
  const rows = summary.domains.map((domain, domainIndex) => {
    const counts = classes.map((name) => domain.classes.find((entry) => entry.name === name)?.count ?? 0);
    const balance = balanceOf(counts);
    return el(
      'tr',
      {},
      el('th', { scope: 'row' }, domain.name),
      ...counts.map((n, i) => cell(count(n), { 'data-domain': domain.name, 'data-class': classes[i] }, balance[i])),
      cell(count(domain.count), { 'data-domain': domain.name, 'data-total': '' }, domainBalance[domainIndex]),
    );
  });
  const totals = el(
    'tr',
    {},
    el('th', { scope: 'row' }, 'Total'),
    ...classes.map((name) =>
      cell(count(summary.domains.reduce((sum, domain) => sum + (domain.classes.find((entry) => entry.name === name)?.count ?? 0), 0)), {
        'data-class': name,
        'data-total': '',
      }),
    ),
    cell(count(summary.count), { id: 'grand-total' }),
  );
  const table = el(
    'table',
    { id: 'matrix' },
    el('caption', {}, 'Images per domain and class'),
    el('thead', {}, head),
    el('tbody', {}, ...rows),
    el('tfoot', {}, totals),
  );
  const legend = el(
    'p',
    { class: 'legend' },
    `Highlighted: empty cells, and counts under 1/${IMBALANCE_FACTOR} or over ${IMBALANCE_FACTOR}x the median of their row.`,
  );
  return el('div', {}, legend, scrollRegion('Counts matrix', table));
}

function thumbnails(state: DatasetPanelState, summary: DatasetSummary): HTMLElement {
  const sections = summary.domains.map((domain) =>
    el(
      'section',
      {},
      el('h2', {}, domain.name),
      el(
        'div',
        { class: 'thumb-grid' },
        ...domain.classes.map((entry) =>
          el(
            'figure',
            {},
            el(
              'div',
              { class: 'thumbs' },
              ...entry.samples
                .filter((sample) => state.thumbnails[sample])
                .map((sample) => el('img', { src: state.thumbnails[sample], alt: `${domain.name} / ${entry.name}`, loading: 'lazy' })),
            ),
            el('figcaption', {}, `${entry.name} (${count(entry.count)})`),
          ),
        ),
      ),
    ),
  );
  return el('div', { class: 'thumbnails' }, ...(sections.length ? sections : [el('p', {}, 'No images to show.')]));
}

function issues(summary: DatasetSummary): HTMLElement {
  const all = [
    ...summary.issues.map((issue) => ({ where: 'dataset', issue })),
    ...summary.domains.flatMap((domain) => [
      ...domain.issues.map((issue) => ({ where: domain.name, issue })),
      ...domain.classes.flatMap((entry) => entry.issues.map((issue) => ({ where: `${domain.name} / ${entry.name}`, issue }))),
    ]),
  ];
  if (all.length === 0) return el('p', {}, 'No problems found.');
  return el(
    'ul',
    { class: 'issues' },
    ...all.map(({ where, issue }) =>
      el('li', {}, el('strong', {}, `${where}: `), issue.message, issue.path ? el('code', {}, ` ${issue.path}${issue.line ? `:${issue.line}` : ''}`) : ''),
    ),
  );
}

function issueCount(summary: DatasetSummary): number {
  return (
    summary.issues.length +
    summary.domains.reduce((sum, domain) => sum + domain.issues.length + domain.classes.reduce((n, entry) => n + entry.issues.length, 0), 0)
  );
}

function render(state: DatasetPanelState): void {
  host.save({ ...host.state, root: state.root });
  const summary = state.summary;
  const header = el(
    'header',
    {},
    el('h1', {}, state.name),
    el(
      'span',
      { class: 'subtitle' },
      summary
        ? `${summary.layout ? LAYOUT_LABELS[summary.layout] : 'Unknown layout'} · ${summary.domains.length} domains · ${summary.classNames.length} classes · ${count(summary.count)} images`
        : state.root,
    ),
    state.scanning ? progressRing('Scanning') : '',
    button('Refresh', () => host.post({ type: 'refresh' }), { title: 'Scan the dataset folder again' }),
  );
  if (!summary) {
    app.replaceChildren(header, el('p', {}, 'Scanning…'));
    return;
  }
  const problems = issueCount(summary);
  const content = tabs(
    [
      { id: 'matrix', label: 'Counts', content: matrix(summary) },
      { id: 'thumbnails', label: 'Thumbnails', content: thumbnails(state, summary) },
      { id: 'issues', label: problems ? `Problems (${problems})` : 'Problems', content: issues(summary) },
    ],
    host.state?.tab,
    (tab) => host.save({ ...host.state, root: state.root, tab }),
  );
  if (problems) header.append(badge(`${problems} ${problems === 1 ? 'problem' : 'problems'}`, 'See the Problems tab'));
  app.replaceChildren(header, content);
}
