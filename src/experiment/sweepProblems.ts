import { describePointValues, type SweepAxis, type SweepExpansion } from './sweep';
import type { ExperimentProblem } from './validateExperiment';

/** A problem one point of a sweep has, on a field of that point's experiment. */
export interface PointProblem {
  kind: ExperimentProblem['kind'];
  segments: readonly (string | number)[];
  message: string;
}

/** A problem of the sweep's points, placed where the file can fix it. */
export interface PlacedPointProblem {
  kind: ExperimentProblem['kind'];
  /** The field of the points' experiment it is about (`data.targets`). */
  segments: readonly (string | number)[];
  /** Where in the file it is fixed: the field itself, or the sweep value (or axis) that causes it. */
  at: readonly (string | number)[];
  /** `sweep point 4 of 6 (method.name=kd-stda, seed=0): ` …, or the message alone for a problem of every point. */
  message: string;
  /** The 0-based points that have it. */
  points: number[];
}

function startsWith(segments: readonly (string | number)[], prefix: readonly string[]): boolean {
  return prefix.length <= segments.length && prefix.every((segment, index) => String(segments[index]) === segment);
}

/** `1-3, 5`: 1-based point numbers, runs of three or more shortened. */
function pointNumbers(points: readonly number[]): string {
  const parts: string[] = [];
  for (let at = 0; at < points.length;) {
    let end = at;
    while (end + 1 < points.length && points[end + 1] === points[end] + 1) end++;
    if (end - at >= 2) parts.push(`${points[at] + 1}-${points[end] + 1}`);
    else for (let i = at; i <= end; i++) parts.push(String(points[i] + 1));
    at = end + 1;
  }
  return parts.join(', ');
}

/**
 * Places the problems of a sweep's points in the file and says each once. A problem on a field an
 * axis sets is placed on that axis's value (`"kd-stda"` in `"method.name": ["dann", "kd-stda"]`);
 * else, when the points that differ from it in one axis only lack the problem, on that axis's
 * value, which causes it; else on the field (or, for a field only an axis creates, on the axis).
 * Points with the same problem in the same place are one problem naming them all, with the
 * values they share; a problem every point has reads as the file's.
 * `inFile` says whether the file holds a field, so that a problem on one is placed there.
 */
export function placePointProblems(
  expansion: SweepExpansion,
  perPoint: readonly (readonly PointProblem[])[],
  inFile: (segments: readonly (string | number)[]) => boolean,
): PlacedPointProblem[] {
  const { axes, points } = expansion;
  const count = points.length;
  // Row-major strides: the index of the point with another value of one axis.
  const strides = axes.map((_, at) => axes.slice(at + 1).reduce((product, axis) => product * axis.values.length, 1));
  const valueIndex = (point: number, at: number) => Math.floor(point / strides[at]) % axes[at].values.length;
  const keyOf = (problem: PointProblem) => JSON.stringify([problem.kind, problem.segments, problem.message]);
  const keys = perPoint.map((problems) => new Set(problems.map(keyOf)));

  const causes = (point: number, key: string): SweepAxis[] =>
    axes.filter((axis, at) => {
      const own = valueIndex(point, at);
      return axis.values.some((_, other) => other !== own && !keys[point + (other - own) * strides[at]].has(key));
    });

  const groups = new Map<string, PlacedPointProblem>();
  perPoint.forEach((problems, point) => {
    for (const problem of problems) {
      let at: readonly (string | number)[] = problem.segments;
      const setting = axes.findIndex((axis) => startsWith(problem.segments, axis.segments));
      if (setting >= 0) {
        at = ['sweep', axes[setting].path, valueIndex(point, setting), ...problem.segments.slice(axes[setting].segments.length)];
      } else {
        const cause = causes(point, keyOf(problem))[0];
        const creating = axes.find((axis) => startsWith(axis.segments, problem.segments.map(String)));
        if (cause) at = ['sweep', cause.path, valueIndex(point, axes.indexOf(cause))];
        else if (creating && !inFile(problem.segments)) at = ['sweep', creating.path];
      }
      const groupKey = JSON.stringify([problem.kind, problem.segments, problem.message, at]);
      const group = groups.get(groupKey);
      if (group) group.points.push(point);
      else groups.set(groupKey, { kind: problem.kind, segments: problem.segments, at, message: problem.message, points: [point] });
    }
  });

  return [...groups.values()].map((group) => {
    // Every point: the file's problem, whose place says where (a field, or the axis that creates one).
    if (axes.length === 0 || group.points.length === count) return group;
    const shared = Object.fromEntries(
      axes.flatMap((axis, at) => {
        const first = valueIndex(group.points[0], at);
        return group.points.every((point) => valueIndex(point, at) === first) ? [[axis.path, axis.values[first]]] : [];
      }),
    );
    const which = `sweep point${group.points.length === 1 ? '' : 's'} ${pointNumbers(group.points)} of ${count}`;
    const values = Object.keys(shared).length > 0 ? ` (${describePointValues(shared)})` : '';
    return { ...group, message: `${which}${values}: ${group.message}` };
  });
}
