import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exportGroupedTable } from '../../src/runComparison/groupedTableFormats';
import { datasetCaptionName, latexCell, readableCount, roleDisplayName } from '../../src/runComparison/latexTable';
import { exportResultsTable } from '../../src/runComparison/resultsTableFormats';
import { buildComparisonTable, type ModelMetrics, type RunRecord } from '../../src/runComparison/runComparison';

describe('LaTeX export: the paper table', () => {
  it('escapes the ten characters LaTeX treats specially', () => {
    assert.equal(latexCell('a_b % & # $ { } ~ ^ \\'), 'a\\_b \\% \\& \\# \\$ \\{ \\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{}');
  });

  it('prints counts in readable units and roles as rows read', () => {
    assert.deepEqual([850, 62_000, 651_700, 973_800, 6_180_000, 1_200_000_000].map(readableCount), ['850', '62.0k', '651.7k', '973.8k', '6.18M', '1.20G']);
    assert.deepEqual(['teacher', 'student', 'teacher-mnist-photo', 'branch-2', 'aggregate', 'odd_role'].map(roleDisplayName), [
      'Teacher',
      'Student',
      'Teacher (mnist-photo)',
      'Branch 2',
      'Aggregate',
      'odd_role',
    ]);
  });

  it("writes one run's table: booktabs, a row per model, best accuracy in bold, costs, escaped names, a caption naming method and data", () => {
    const models = [
      {
        role: 'teacher',
        meanTarget: 0.317,
        targets: [
          { domain: 'mnist_photo', accuracy: 0.4 },
          { domain: '50%&#$', accuracy: 0.234 },
        ],
        parameters: 973_800,
        macsPerImage: 6_180_000,
      },
      {
        role: 'student',
        meanTarget: 0.283,
        targets: [
          { domain: 'mnist_photo', accuracy: 0.45 },
          { domain: '50%&#$', accuracy: Number.NaN },
        ],
        parameters: 62_000,
        macsPerImage: 651_700,
      },
    ];
    const about = {
      runId: '20260101-000000-x',
      epoch: 20,
      method: 'kd-stda',
      datasetRoot: '/data/my_digits{v2}',
      source: 'm~n^\\1',
      targets: ['mnist_photo', '50%&#$'],
      seed: 0,
    };
    assert.equal(
      exportResultsTable(models, 'latex', about),
      [
        '% Needs \\usepackage{booktabs}.',
        '\\begin{table}[t]',
        '\\centering',
        '\\caption{KD-STDA on My\\_digits\\{v2\\}: source m\\textasciitilde{}n\\textasciicircum{}\\textbackslash{}1, targets mnist\\_photo, 50\\%\\&\\#\\$. Target test accuracy (\\%) at the last epoch (epoch 20, seed 0).}',
        '\\label{tab:kd-stda-my-digits-v2}',
        '\\begin{tabular}{lrrrrr}',
        '\\toprule',
        'Model & mnist\\_photo & 50\\%\\&\\#\\$ & Mean & Params & MACs \\\\',
        '\\midrule',
        // 50%&#$ has one value only: nothing to be best against, so no bold.
        'Teacher & 40.0 & 23.4 & \\textbf{31.7} & 973.8k & 6.18M \\\\',
        'Student & \\textbf{45.0} & -- & 28.3 & 62.0k & 651.7k \\\\',
        '\\bottomrule',
        '\\end{tabular}',
        '\\end{table}',
        '',
      ].join('\n'),
    );
  });

  it('has no Mean column for one target (it would repeat the target’s), and names a split’s root by its dataset', () => {
    const models = [
      { role: 'teacher', meanTarget: 0.581, targets: [{ domain: 'mnist-photo', accuracy: 0.581 }], parameters: 973_800, macsPerImage: 6_180_000 },
      { role: 'student', meanTarget: 0.566, targets: [{ domain: 'mnist-photo', accuracy: 0.566 }], parameters: 62_000, macsPerImage: 651_700 },
    ];
    const about = {
      runId: 'r',
      epoch: 10,
      method: 'kd-stda',
      datasetRoot: '/work/.cache/bench/digits/train',
      source: 'mnist',
      targets: ['mnist-photo'],
      seed: 0,
    };
    const latex = exportResultsTable(models, 'latex', about);
    assert.match(latex, /^\\caption\{KD-STDA on Digits: source mnist, target mnist-photo\. /m);
    assert.match(latex, /^\\begin\{tabular\}\{lrrr\}$/m);
    assert.match(latex, /^Model & mnist-photo & Params & MACs \\\\$/m);
    assert.match(latex, /^Teacher & \\textbf\{58\.1\} & 973\.8k & 6\.18M \\\\$/m);
    assert.deepEqual(['data/train', 'C:\\data\\digits\\test', './svhn/Validation', 'train', '/data/usps'].map(datasetCaptionName), [
      'Data',
      'Digits',
      'Svhn',
      'Train',
      'Usps',
    ]);
  });

  /** A finished run of `method` at `seed` on the Digits domains, with these models. */
  function run(method: string, seed: number, models: ModelMetrics[]): RunRecord {
    return {
      runId: `2026010${seed}-${method}`,
      runDir: `/runs/2026010${seed}-${method}`,
      state: 'done',
      experiment: { name: method, data: { root: './data/digits', source: 'mnist', targets: ['mnist-photo', 'font_digits'] }, method: { name: method }, seed },
      targets: ['mnist-photo', 'font_digits'],
      models,
    };
  }
  const teacher = (photo: number, font: number): ModelMetrics => ({
    role: 'teacher',
    accuracy: { 'mnist-photo': photo, font_digits: font },
    meanTarget: (photo + font) / 2,
    parameters: 973_800,
    macsPerImage: 6_180_000,
  });
  const student = (accuracy: Record<string, number>, meanTarget: number): ModelMetrics => ({
    role: 'student',
    accuracy,
    meanTarget,
    parameters: 62_000,
    macsPerImage: 651_700,
  });

  it('writes the grouped table over seeds: $mean \\pm std$, bold best per column, a row per model of each configuration', () => {
    // KD-MTDA over seeds 0, 1, 2 (teacher and student); source-only over seeds 0 and 1, whose
    // seed-1 run has no font_digits accuracy (n = 1 of 2).
    const table = buildComparisonTable([
      run('kd-mtda', 0, [teacher(0.6, 0.22), student({ 'mnist-photo': 0.5, font_digits: 0.3 }, 0.4)]),
      run('kd-mtda', 1, [teacher(0.6, 0.27), student({ 'mnist-photo': 0.55, font_digits: 0.3 }, 0.425)]),
      run('kd-mtda', 2, [teacher(0.6, 0.32), student({ 'mnist-photo': 0.6, font_digits: 0.3 }, 0.45)]),
      run('source-only', 0, [student({ 'mnist-photo': 0.45, font_digits: 0.2 }, 0.325)]),
      run('source-only', 1, [student({ 'mnist-photo': 0.47 }, 0.455)]),
    ]);
    assert.equal(
      // The shown columns do not matter to the paper table: it has every target, the mean and the costs.
      exportGroupedTable(table, ['acc.student.mean'], 'latex', 'unused'),
      [
        '% Needs \\usepackage{booktabs}.',
        '\\begin{table}[t]',
        '\\centering',
        '\\caption{KD-MTDA and Source only on Digits: source mnist, targets mnist-photo, font\\_digits. Target test accuracy (\\%) at the last epoch, mean $\\pm$ std over 2 to 3 seeds.}',
        '\\label{tab:kd-mtda-source-only-digits}',
        '\\begin{tabular}{lrrrrr}',
        '\\toprule',
        'Model & mnist-photo & font\\_digits & Mean & Params & MACs \\\\',
        '\\midrule',
        'KD-MTDA teacher & $\\mathbf{60.0 \\pm 0.0}$ & $27.0 \\pm 5.0$ & $\\mathbf{43.5 \\pm 2.5}$ & 973.8k & 6.18M \\\\',
        'KD-MTDA student & $55.0 \\pm 5.0$ & $\\mathbf{30.0 \\pm 0.0}$ & $42.5 \\pm 2.5$ & 62.0k & 651.7k \\\\',
        'Source only student & $46.0 \\pm 1.4$ & 20.0 ($n = 1$) & $39.0 \\pm 9.2$ & 62.0k & 651.7k \\\\',
        '\\bottomrule',
        '\\end{tabular}',
        '\\end{table}',
        '',
      ].join('\n'),
    );
  });

  it('names the rows by model alone for one configuration, and says how many seeds', () => {
    const table = buildComparisonTable(
      [0, 1, 2].map((seed) => run('kd-mtda', seed, [teacher(0.6, 0.3), student({ 'mnist-photo': 0.5, font_digits: 0.3 }, 0.4)])),
    );
    const latex = exportGroupedTable(table, [], 'latex', 'unused');
    assert.match(
      latex,
      /\\caption\{KD-MTDA on Digits: source mnist, targets mnist-photo, font\\_digits\. Target test accuracy \(\\%\) at the last epoch, mean \$\\pm\$ std over 3 seeds\.\}/,
    );
    assert.match(latex, /\nTeacher & /);
    assert.match(latex, /\nStudent & /);
  });

  it('tells apart configurations of one method by the fields they differ in', () => {
    const lr = (value: number, seed: number): RunRecord => {
      const base = run('kd-mtda', seed, [student({ 'mnist-photo': 0.5, font_digits: 0.3 }, 0.4)]);
      return {
        ...base,
        runId: `${base.runId}-${value}`,
        runDir: `${base.runDir}-${value}`,
        experiment: { ...(base.experiment as object), optimizer: { studentLr: value } },
      };
    };
    const latex = exportGroupedTable(buildComparisonTable([lr(0.01, 0), lr(0.01, 1), lr(0.001, 0)]), [], 'latex', 'unused');
    assert.match(latex, /\nkd-mtda \(optimizer\.studentLr 0\.01\) student & /);
    assert.match(latex, /\nkd-mtda \(optimizer\.studentLr 0\.001\) student & /);
  });
});
