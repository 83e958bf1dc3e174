/** Wording shared by the issue messages, so they read the same across layouts. */

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : pluralForm}`;
}

/**
 * `"a", "b", "c" and 7 more`: names are quoted because class and file names may contain spaces.
 * `total` may exceed `names.length` when only the first few were kept.
 */
export function quotedPreview(names: readonly string[], total = names.length, shown = 5): string {
  const quoted = names.slice(0, shown).map((name) => JSON.stringify(name));
  const rest = total - quoted.length;
  return rest > 0 ? `${quoted.join(', ')} and ${rest.toLocaleString('en-US')} more` : quoted.join(', ');
}
