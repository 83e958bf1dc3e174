import type { ModelHeadline } from '../runFolder/readRunResults';

export type ExportFormat = 'markdown' | 'csv' | 'latex';

const percent = (value: number | undefined): string => (value !== undefined && Number.isFinite(value) ? (100 * value).toFixed(1) : '');

export function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function latexCell(text: string): string {
  return text.replace(/[\\&%$#_{}~^]/g, (char) =>
    char === '\\' ? '\\textbackslash{}' : char === '~' ? '\\textasciitilde{}' : char === '^' ? '\\textasciicircum{}' : `\\${char}`,
  );
}

/**
 * The headline table (last epoch, top-1 % per target and mean) in a format for papers and notes.
 * Every model must report the same targets: the header is taken from the first.
 */
export function exportResultsTable(models: readonly ModelHeadline[], format: ExportFormat, caption: string): string {
  const targets = models[0]?.targets.map((target) => target.domain) ?? [];
  const header = ['model', ...targets, 'mean'];
  const rows = models.map((model) => [model.role, ...model.targets.map((target) => percent(target.accuracy)), percent(model.meanTarget)]);
  switch (format) {
    case 'markdown':
      return [
        `<!-- ${caption} -->`,
        `| ${header.join(' | ')} |`,
        `|${header.map((_, i) => (i === 0 ? '---' : '--:')).join('|')}|`,
        ...rows.map((row) => `| ${row.join(' | ')} |`),
        '',
      ].join('\n');
    case 'csv':
      return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
    case 'latex':
      return [
        '\\begin{table}[t]',
        '\\centering',
        `\\begin{tabular}{l${'r'.repeat(header.length - 1)}}`,
        '\\hline',
        `${header.map(latexCell).join(' & ')} \\\\`,
        '\\hline',
        ...rows.map((row) => `${row.map(latexCell).join(' & ')} \\\\`),
        '\\hline',
        '\\end{tabular}',
        `\\caption{${latexCell(caption)}}`,
        '\\end{table}',
        '',
      ].join('\n');
  }
}
