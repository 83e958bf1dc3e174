/**
 * Whether `value` is a plain object whose fields may be read: what a message, a saved state or a
 * parsed file must be before any of its fields is trusted. Pure, so webviews import it too.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
