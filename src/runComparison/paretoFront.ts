/**
 * The accuracy-versus-cost Pareto front: the models no other model beats on both counts. Pure (no
 * DOM, no Node): Compare Runs' plot marks the front with it and the unit tests check the same code.
 */

export interface CostAccuracy {
  cost: number;
  accuracy: number;
}

const usable = (point: CostAccuracy): boolean => Number.isFinite(point.cost) && Number.isFinite(point.accuracy);

/**
 * The indexes of the points on the front, cheapest first (equal costs: the given order). A point is
 * on it when no other point costs as little or less and is as accurate or more, and better in one
 * of the two: equal points do not push each other off, so duplicates are all on it. A point whose
 * cost or accuracy is not a finite number is neither on the front nor pushes another off.
 * O(n log n): one pass over the points by cost.
 */
export function paretoFront(points: readonly CostAccuracy[]): number[] {
  const order = points.flatMap((point, index) => (usable(point) ? [index] : []));
  // Cheapest first; at one cost, the most accurate first.
  order.sort((i, j) => points[i].cost - points[j].cost || points[j].accuracy - points[i].accuracy || i - j);
  const front: number[] = [];
  /** The best accuracy among the points that cost strictly less than the current one. */
  let bestCheaper = -Infinity;
  for (let start = 0; start < order.length;) {
    const cost = points[order[start]].cost;
    let end = start;
    while (end < order.length && points[order[end]].cost === cost) end++;
    // At one cost the first is the most accurate: a point below it is beaten by it, one equal to it is not.
    const bestHere = points[order[start]].accuracy;
    for (let k = start; k < end; k++) {
      const { accuracy } = points[order[k]];
      if (accuracy > bestCheaper && accuracy === bestHere) front.push(order[k]);
    }
    bestCheaper = Math.max(bestCheaper, bestHere);
    start = end;
  }
  return front;
}

/**
 * The front as a staircase, cheapest first: from each point level to the next one's cost, then up
 * to it (what the best model within a budget scores, budget by budget). Corners as [cost, accuracy];
 * `front` is paretoFront's points in its order.
 */
export function frontSteps(front: readonly CostAccuracy[]): [number, number][] {
  const corners: [number, number][] = [];
  front.forEach((point, index) => {
    if (index > 0) corners.push([point.cost, front[index - 1].accuracy]);
    corners.push([point.cost, point.accuracy]);
  });
  return corners;
}
