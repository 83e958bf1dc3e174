/**
 * Which small charts the Results panel draws from a run's history, and which curves each holds:
 * mean target accuracy, one curve per model; then the losses, one chart per model (a loss term is
 * `<model>.<term>`), and for MT-MTDA's student, whose terms carry the target of their round
 * (`student.targetKd@usps`), one chart per round; then β when the run has it. So an MT-MTDA run on
 * three targets draws its 15 loss terms as six charts of two or three curves, not one of 16.
 * Pure (no DOM), so that plain Node tests check it.
 */
import type { EpochPoint, ModelRow } from '../../src/protocol/resultsMessages';
import { meanOverTargets } from '../../src/runFolder/targetAccuracy';
import type { ValueKind } from './axisTicks';

export interface CurveSeries {
  /** What the legend calls it; unique in its chart. */
  label: string;
  /** Its place in the palette (seriesPalette.ts): a loss term takes the same style in every chart. */
  styleIndex: number;
  /** One value per epoch of the chart; null where the epoch has none. */
  values: (number | null)[];
}

export interface CurveChart {
  /** The figure's element id: unique in the panel and stable across snapshots (hidden curves are kept by it). */
  id: string;
  title: string;
  kind: ValueKind;
  epochs: number[];
  series: CurveSeries[];
}

interface LossTerm {
  key: string;
  model: string;
  term: string;
  /** The target of an MT-MTDA student round, when the term names one. */
  round?: string;
}

/** `teacher-usps.ce` -> model teacher-usps, term ce; `student.targetKd@usps` -> model student, term targetKd, round usps. */
export function lossTerm(key: string): LossTerm {
  const dot = key.indexOf('.');
  const model = dot > 0 ? key.slice(0, dot) : 'model';
  const rest = dot > 0 ? key.slice(dot + 1) : key;
  const at = rest.lastIndexOf('@');
  return at > 0 ? { key, model, term: rest.slice(0, at), round: rest.slice(at + 1) } : { key, model, term: rest };
}

/** An id part made of letters, digits and dashes only. */
const idPart = (text: string): string => text.replace(/[^A-Za-z0-9-]+/g, '-');

export function curveCharts(history: readonly EpochPoint[], rows: readonly Pick<ModelRow, 'role'>[], targets: readonly string[]): CurveChart[] {
  const epochs = history.map((point) => point.epoch);
  const roles = rows.map((row) => row.role);
  const charts: CurveChart[] = [
    {
      id: 'accuracy-chart',
      title: 'Mean target accuracy',
      kind: 'accuracy',
      epochs,
      series: roles.map((role, i) => ({
        label: role,
        styleIndex: i,
        values: history.map((point) => meanOverTargets(point.accuracy[role], targets) ?? null),
      })),
    },
  ];

  const terms = [...new Set(history.flatMap((point) => Object.keys(point.losses)))].map(lossTerm);
  const termNames = [...new Set(terms.map((term) => term.term))].sort();
  const groups = new Map<string, LossTerm[]>();
  for (const term of terms) {
    const group = `${term.model}\u0000${term.round ?? ''}`;
    groups.set(group, [...(groups.get(group) ?? []), term]);
  }
  // Models in the table's order (teachers before the student), a student's rounds in the targets' order.
  const rank = (list: readonly string[], item: string | undefined) => (item === undefined ? -1 : list.includes(item) ? list.indexOf(item) : list.length);
  const ordered = [...groups.values()].sort(
    (a, b) =>
      rank(roles, a[0].model) - rank(roles, b[0].model) || a[0].model.localeCompare(b[0].model) || rank(targets, a[0].round) - rank(targets, b[0].round),
  );
  for (const group of ordered) {
    const { model, round } = group[0];
    const sorted = [...group].sort((a, b) => termNames.indexOf(a.term) - termNames.indexOf(b.term));
    charts.push({
      id: `loss-chart-${idPart(model)}${round === undefined ? '' : `-at-${idPart(round)}`}`,
      title: round === undefined ? `${model} loss` : `${model} loss, round on ${round}`,
      kind: 'loss',
      epochs,
      series: sorted.map((term) => ({
        label: term.term,
        styleIndex: termNames.indexOf(term.term),
        values: history.map((point) => point.losses[term.key] ?? null),
      })),
    });
  }

  if (history.some((point) => point.beta !== undefined))
    charts.push({
      id: 'beta-chart',
      title: 'β per epoch',
      kind: 'weight',
      epochs,
      series: [{ label: 'β', styleIndex: 0, values: history.map((point) => point.beta ?? null) }],
    });
  return charts;
}
