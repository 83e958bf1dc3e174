import type { RunResults } from '../../runFolder/results';
import { compactCount } from '../../util/compactCount';

/**
 * The demo's table, read as the method's story: the source-only student (the lower bound), the
 * MT-MTDA teachers each on the target it was adapted to, and the MT-MTDA student distilled from
 * them, with what chance and one test image are worth, so a reader can tell a gain from noise.
 */
export function formatDemoStoryTable(sourceOnly: RunResults, mtMtda: RunResults): string[] {
  const targets = mtMtda.targets;
  const teacherOf = (target: string) => `teacher-${target}`;
  const rows = [
    {
      label: 'student, source only (lower bound)',
      accuracy: targets.map((target) => sourceOnly.headline.accuracy.student[target]),
      holdout: sourceOnly.headline.accuracy.student['source-holdout'],
      cost: sourceOnly.costs.student,
    },
    {
      label: 'MT-MTDA teachers, each on its target',
      accuracy: targets.map((target) => mtMtda.headline.accuracy[teacherOf(target)][target]),
      holdout: undefined,
      cost: mtMtda.costs[teacherOf(targets[0])],
    },
    {
      label: 'MT-MTDA student (distilled)',
      accuracy: targets.map((target) => mtMtda.headline.accuracy.student[target]),
      holdout: mtMtda.headline.accuracy.student['source-holdout'],
      cost: mtMtda.costs.student,
    },
  ];
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const percent = (value: number | undefined) => (value === undefined ? '–' : `${(100 * value).toFixed(1)}%`);
  const columns = [...targets, 'mean', 'source hold-out', 'params', 'MACs/image'];
  const width = Math.max(...rows.map((row) => row.label.length));
  const cell = (text: string, column: string) => text.padStart(Math.max(column.length, 8) + 2);
  const lines = [`${'model'.padEnd(width)}${columns.map((column) => cell(column, column)).join('')}`];
  for (const row of rows) {
    const texts = [
      ...row.accuracy.map(percent),
      percent(mean(row.accuracy)),
      percent(row.holdout),
      compactCount(row.cost.parameters),
      compactCount(row.cost.macsPerImage),
    ];
    lines.push(`${row.label.padEnd(width)}${texts.map((text, i) => cell(text, columns[i])).join('')}`);
  }

  const [baseline, teachers, student] = rows.map((row) => mean(row.accuracy));
  const testImages = Math.min(...targets.map((target) => mtMtda.confusion.student[target].flat().reduce((sum, count) => sum + count, 0)));
  const standardError = Math.sqrt((student * (1 - student)) / testImages);
  const points = (difference: number, above: string, below: string) => `${Math.abs(100 * difference).toFixed(1)} points ${difference >= 0 ? above : below}`;
  const fewerMacs = rows[1].cost.macsPerImage / rows[2].cost.macsPerImage;
  lines.push(
    '',
    `Chance is ${percent(1 / mtMtda.classNames.length)} (${mtMtda.classNames.length} classes). Each target has ${testImages} test images: one image is ${(100 / testImages).toFixed(1)} points, and a mean over the targets near ${percent(student)} has a standard error of about ${((100 * standardError) / Math.sqrt(targets.length)).toFixed(1)} points.`,
    `The distilled student is ${points(student - baseline, 'above', 'below')} the source-only student at the same size, and ${points(student - teachers, 'above', 'below')} its teachers, which cost ${fewerMacs.toFixed(1)}x its MACs.`,
    `(${mtMtda.headline.label}, epoch ${mtMtda.headline.epoch}: a short budget; the README's Digits table is the full benchmark.)`,
  );
  return lines;
}
