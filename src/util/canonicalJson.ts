import { isRecord } from './isRecord';

/**
 * JSON text that is the same for equal values whatever order their keys were written in (keys
 * sorted at every level; list order kept, since it means something): what "the same experiment"
 * and a hash of one are computed from. Fields whose value is undefined are left out, as
 * JSON.stringify leaves them out of a file.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isRecord(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key]);
  return sorted;
}
