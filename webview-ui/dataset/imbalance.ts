/** Counts this far below or above the median of their row stand out as imbalanced. */
export const IMBALANCE_FACTOR = 2;

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export type Balance = 'empty' | 'low' | 'high' | 'ok';

/** How each count compares with the median of its group (a domain's classes, or the domains). */
export function balanceOf(counts: readonly number[]): Balance[] {
  const middle = median(counts);
  return counts.map((count) => {
    if (count === 0) return 'empty';
    if (middle > 0 && count * IMBALANCE_FACTOR < middle) return 'low';
    if (middle > 0 && count > middle * IMBALANCE_FACTOR) return 'high';
    return 'ok';
  });
}
