/**
 * The results table as a paper prints it, in LaTeX: booktabs rules, one row per model, top-1
 * accuracy (%) per target and their mean with one decimal (`$48.4 \pm 2.2$` over seeds), the best
 * of each accuracy column in bold, parameters and MACs per image in readable units (`62.0k`,
 * `6.18M`), and a caption that says what was trained on what. Pure (no Node or DOM APIs).
 */

/** Text as LaTeX typesets it: the ten characters it treats specially are escaped. */
export function latexCell(text: string): string {
  return text.replace(/[\\&%$#_{}~^]/g, (char) =>
    char === '\\' ? '\\textbackslash{}' : char === '~' ? '\\textasciitilde{}' : char === '^' ? '\\textasciicircum{}' : `\\${char}`,
  );
}

/** An accuracy (a fraction) over the runs that have it: one run's value, or a mean with the sample std. */
export interface AccuracyCell {
  mean: number;
  /** Absent for one run. */
  std?: number;
  /** Runs with the value: fewer than the row's runs is said in the cell. */
  n: number;
}

export interface LatexModelRow {
  /** What the row is called (plain text; escaped here). */
  name: string;
  /** Per target domain; a target the model was not evaluated on is absent. */
  accuracy: Record<string, AccuracyCell | undefined>;
  mean?: AccuracyCell;
  parameters?: number;
  macsPerImage?: number;
  /** Runs the row stands for (1 for a single run). */
  runs: number;
}

export interface LatexTable {
  targets: readonly string[];
  rows: readonly LatexModelRow[];
  /** LaTeX already (see latexCaption). */
  caption: string;
  /** The \label, `tab:…`. */
  label: string;
}

/** A parameter or MAC count as papers print it: `850`, `62.0k`, `651.7k`, `6.18M`, `1.20G`. */
export function readableCount(value: number): string {
  const size = Math.abs(value);
  if (size >= 1e9) return `${(value / 1e9).toFixed(2)}G`;
  if (size >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (size >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return String(Math.round(value));
}

const METHOD_NAMES: Record<string, string> = {
  'source-only': 'Source only',
  dann: 'DANN',
  'kd-stda': 'KD-STDA',
  'kd-mtda': 'KD-MTDA',
  'mt-mtda': 'MT-MTDA',
  'online-kd': 'Online KD (ONE)',
};

/** A method as the papers write it (`kd-mtda` → `KD-MTDA`); an unknown one as it is. */
export function methodDisplayName(method: string): string {
  return METHOD_NAMES[method] ?? method;
}

/** A model role as a row reads: `Teacher`, `Student`, `Teacher (mnist-photo)` for MT-MTDA's per-target teachers, `Branch 1` and `Aggregate` for online-kd's. */
export function roleDisplayName(role: string): string {
  if (role === 'teacher' || role === 'student' || role === 'model') return role[0].toUpperCase() + role.slice(1);
  const perTarget = /^teacher-(.+)$/.exec(role);
  if (perTarget) return `Teacher (${perTarget[1]})`;
  // online-kd's models
  const branch = /^branch-(\d+)$/.exec(role);
  if (branch) return `Branch ${branch[1]}`;
  return role === 'aggregate' ? 'Aggregate' : role;
}

/** Folder names that say which split a root is, not which dataset. */
const SPLIT_FOLDER = /^(train|training|test|testing|val|valid|validation|dev)$/i;

/** A dataset root's last folder (`/data/digits` → `Digits`), the one above it for a split's root (`digits/train` → `Digits`): a caption's name for it. */
export function datasetCaptionName(root: string): string {
  const parts = root.split(/[\\/]+/).filter((part) => part !== '' && part !== '.');
  const name = (parts.length > 1 && SPLIT_FOLDER.test(parts.at(-1)!) ? parts.at(-2) : parts.at(-1)) ?? root;
  return name === name.toLowerCase() ? name.charAt(0).toUpperCase() + name.slice(1) : name;
}

const list = (items: readonly string[]): string => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);

export interface CaptionFacts {
  /** Experiment method names (`kd-mtda`), one per kind of row; several are joined with "and". */
  methods: readonly string[];
  /** The dataset root, when every row trained on the same one. */
  datasetRoot?: string;
  source?: string;
  targets: readonly string[];
  /** Runs behind each row: 1 for a single run; over seeds, the counts of the groups. */
  runs: readonly number[];
  /** One run's seed and last epoch, said when there is one run. */
  seed?: number;
  epoch?: number;
}

/**
 * What the table shows, in a sentence a reader needs no run id for: `KD-MTDA on Digits: source
 * mnist, targets mnist-photo, font-digits, uci-digits. Target test accuracy (%) at the last
 * epoch, mean $\pm$ std over 3 seeds.` LaTeX, with every name escaped.
 */
export function latexCaption(facts: CaptionFacts): string {
  const methods = list(facts.methods.map((method) => latexCell(methodDisplayName(method))));
  const on = facts.datasetRoot === undefined ? '' : ` on ${latexCell(datasetCaptionName(facts.datasetRoot))}`;
  const data = [
    ...(facts.source === undefined ? [] : [`source ${latexCell(facts.source)}`]),
    ...(facts.targets.length ? [`${facts.targets.length === 1 ? 'target' : 'targets'} ${facts.targets.map(latexCell).join(', ')}`] : []),
  ];
  const what = `${methods || 'Results'}${on}${data.length ? `: ${data.join(', ')}` : ''}.`;
  const most = Math.max(1, ...facts.runs);
  const least = Math.min(most, ...facts.runs);
  let over: string;
  if (most === 1) {
    const details = [...(facts.epoch === undefined ? [] : [`epoch ${facts.epoch}`]), ...(facts.seed === undefined ? [] : [`seed ${facts.seed}`])];
    over = details.length ? ` (${details.join(', ')})` : '';
  } else {
    over = `, mean $\\pm$ std over ${least === most ? most : `${least} to ${most}`} seeds`;
  }
  return `${what} Target test accuracy (\\%) at the last epoch${over}.`;
}

/** A \label from the caption's facts: `tab:kd-mtda-digits`. */
export function latexLabel(methods: readonly string[], datasetRoot: string | undefined): string {
  const words = [...methods, ...(datasetRoot === undefined ? [] : [datasetCaptionName(datasetRoot)])];
  const slug = words
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `tab:${slug || 'results'}`;
}

const shown = (fraction: number): string => (100 * fraction).toFixed(1);

/** One accuracy cell: `61.2` or `$48.4 \pm 2.2$`, bold when best, with ` ($n = 2$)` where fewer runs have it than the row stands for. */
function accuracyText(cell: AccuracyCell | undefined, runs: number, best: boolean): string {
  if (cell === undefined || !Number.isFinite(cell.mean)) return '--';
  const mean = shown(cell.mean);
  const value =
    cell.std === undefined ? (best ? `\\textbf{${mean}}` : mean) : best ? `$\\mathbf{${mean} \\pm ${shown(cell.std)}}$` : `$${mean} \\pm ${shown(cell.std)}$`;
  return cell.n < runs ? `${value} ($n = ${cell.n}$)` : value;
}

/**
 * The table. The best value of an accuracy column is its highest mean as printed (ties all bold),
 * marked only where two rows or more have one. A Mean column where there are several targets;
 * parameter and MAC columns when some row has them.
 */
export function latexTable(table: LatexTable): string {
  // The mean of one target is that target's column again.
  const withMean = table.targets.length !== 1;
  const columns: ((row: LatexModelRow) => AccuracyCell | undefined)[] = [
    ...table.targets.map((target) => (row: LatexModelRow) => row.accuracy[target]),
    ...(withMean ? [(row: LatexModelRow) => row.mean] : []),
  ];
  const best = columns.map((cellOf) => {
    const values = table.rows.map(cellOf).flatMap((cell) => (cell && Number.isFinite(cell.mean) ? [Number(shown(cell.mean))] : []));
    return values.length >= 2 ? Math.max(...values) : undefined;
  });
  const withParameters = table.rows.some((row) => row.parameters !== undefined);
  const withMacs = table.rows.some((row) => row.macsPerImage !== undefined);
  const header = [
    'Model',
    ...table.targets.map(latexCell),
    ...(withMean ? ['Mean'] : []),
    ...(withParameters ? ['Params'] : []),
    ...(withMacs ? ['MACs'] : []),
  ];
  const rows = table.rows.map((row) => {
    const accuracies = columns.map((cellOf, index) => {
      const cell = cellOf(row);
      return accuracyText(cell, row.runs, cell !== undefined && best[index] !== undefined && Number(shown(cell.mean)) === best[index]);
    });
    const count = (value: number | undefined) => (value === undefined ? '--' : readableCount(value));
    return [latexCell(row.name), ...accuracies, ...(withParameters ? [count(row.parameters)] : []), ...(withMacs ? [count(row.macsPerImage)] : [])];
  });
  return [
    '% Needs \\usepackage{booktabs}.',
    '\\begin{table}[t]',
    '\\centering',
    `\\caption{${table.caption}}`,
    `\\label{${table.label}}`,
    `\\begin{tabular}{l${'r'.repeat(header.length - 1)}}`,
    '\\toprule',
    `${header.join(' & ')} \\\\`,
    '\\midrule',
    ...rows.map((cells) => `${cells.join(' & ')} \\\\`),
    '\\bottomrule',
    '\\end{tabular}',
    '\\end{table}',
    '',
  ].join('\n');
}
