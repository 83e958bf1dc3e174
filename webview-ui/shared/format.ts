/** How the panels write numbers, so that a figure reads the same in each; '–' is a value there is none of. */

const compactNumber = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** An accuracy or share (0..1) as a percentage with one decimal. */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : `${(100 * value).toFixed(1)}%`;
}

/** A count of parameters or MACs the short way (61.7K, 8.9M). */
export function compact(value: number | undefined): string {
  return value === undefined ? '–' : compactNumber.format(value);
}
