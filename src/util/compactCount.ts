/** A parameter or MAC count as the README's tables print it: `62.0 k`, `6.18 M`. */
export function compactCount(count: number): string {
  if (Math.abs(count) >= 1e6) return `${(count / 1e6).toFixed(2)} M`;
  if (Math.abs(count) >= 1e3) return `${(count / 1e3).toFixed(1)} k`;
  return String(Math.round(count));
}
